import { resourceForKind } from './resources.js';
import { type ObjectStore } from './store.js';
import { type KubeObject, k8sTime } from './types.js';

/*
 * The event recorder of the controllers and the kubelet: core/v1 Events whose involvedObject.uid is the object's uid
 * (or `kubectl describe` shows none), aggregated like client-go's EventCorrelator: the same object, type, reason,
 * message and source bump `count` and `lastTimestamp` of one Event instead of creating another. Events expire an
 * hour after their last write, as with the API server's default `--event-ttl=1h` (the TTL is renewed on each write),
 * whoever wrote them.
 */

export const EVENT_TTL_MS = 3_600_000;

export interface EventSource {
  component: string;
  host?: string;
}

export interface RecordOptions {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  source: EventSource;
  /** e.g. `spec.containers{server}` for container events. */
  fieldPath?: string;
}

const EVENTS = resourceForKind('Event');

export class EventRecorder {
  private readonly byKey = new Map<string, string>();
  /** `<namespace>/<name>` of an event → its aggregation key. */
  private readonly keyByName = new Map<string, string>();
  private seq = 0;
  private created = 0;
  /** When the oldest event expires (undefined: not known, look on the next `expire`). */
  private nextExpiry: number | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => number = Date.now,
    private readonly maxEvents = 2000,
    private readonly ttlMs = EVENT_TTL_MS
  ) {}

  /** Deletes the events whose last write is older than the TTL; returns when the next one expires, if any. */
  expire(now: number): number | undefined {
    if (this.nextExpiry !== undefined && now < this.nextExpiry) return this.nextExpiry;
    let next: number | undefined;
    for (const e of this.store.list(EVENTS)) {
      const at = eventTime(e) + this.ttlMs;
      if (at <= now) this.remove(e);
      else if (next === undefined || at < next) next = at;
    }
    this.nextExpiry = next;
    return next;
  }

  record(obj: KubeObject, opts: RecordOptions): void {
    const ns = obj.metadata.namespace ?? 'default';
    const key = [obj.metadata.uid, opts.type, opts.reason, opts.message, opts.source.component, opts.fieldPath ?? ''].join(
      '\u0000'
    );
    const ts = k8sTime(this.now());
    const existingName = this.byKey.get(key);
    const existing = existingName ? this.store.get(EVENTS, ns, existingName) : undefined;
    if (existing) {
      this.store.update(EVENTS, {
        ...existing,
        count: ((existing['count'] as number | undefined) ?? 1) + 1,
        lastTimestamp: ts
      });
      return;
    }
    const name = `${obj.metadata.name}.${(BigInt(this.now()) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns, uid: '', resourceVersion: '', creationTimestamp: '' },
      involvedObject: {
        kind: obj.kind,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: obj.metadata.resourceVersion,
        ...(opts.fieldPath ? { fieldPath: opts.fieldPath } : {})
      },
      reason: opts.reason,
      message: opts.message,
      source: opts.source,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type: opts.type,
      eventTime: null,
      reportingComponent: opts.source.component,
      reportingInstance: opts.source.host ?? ''
    };
    this.store.create(EVENTS, event);
    this.byKey.set(key, name);
    this.keyByName.set(`${ns}/${name}`, key);
    this.nextExpiry ??= this.now() + this.ttlMs;
    if (++this.created % 100 === 0) this.prune();
  }

  /** Keeps the store bounded: the oldest events go first. */
  private prune(): void {
    if (this.store.count(EVENTS) <= this.maxEvents) return;
    const all = this.store.list(EVENTS).map((e) => ({ e, at: eventTime(e) }));
    all.sort((a, b) => a.at - b.at);
    for (const { e } of all.slice(0, all.length - this.maxEvents)) this.remove(e);
  }

  private remove(e: KubeObject): void {
    this.store.remove(EVENTS, e.metadata.namespace, e.metadata.name);
    const ref = `${e.metadata.namespace}/${e.metadata.name}`;
    const key = this.keyByName.get(ref);
    if (key !== undefined) this.byKey.delete(key);
    this.keyByName.delete(ref);
  }
}

/** When an event was last written: lastTimestamp, else eventTime (events.k8s.io), else when it was created. */
function eventTime(e: KubeObject): number {
  for (const v of [e['lastTimestamp'], e['eventTime'], e.metadata.creationTimestamp]) {
    const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
    if (!Number.isNaN(t)) return t;
  }
  return 0;
}
