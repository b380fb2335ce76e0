import { resourceForKind } from './resources.js';
import { type ObjectStore } from './store.js';
import { type KubeObject, k8sTime } from './types.js';

/*
 * The event recorder of the controllers and the kubelet: core/v1 Events whose involvedObject.uid is the object's uid
 * (or `kubectl describe` shows none), aggregated like client-go's EventCorrelator: the same object, type, reason,
 * message and source bump `count` and `lastTimestamp` of one Event instead of creating another.
 */

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
  private seq = 0;
  private created = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => number = Date.now,
    private readonly maxEvents = 2000
  ) {}

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
    if (++this.created % 100 === 0) this.prune();
  }

  /** Keeps the store bounded: the oldest events go first (the API server expires them after an hour). */
  private prune(): void {
    const all = this.store.list(EVENTS);
    if (all.length <= this.maxEvents) return;
    all.sort((a, b) => String(a['lastTimestamp']).localeCompare(String(b['lastTimestamp'])));
    for (const e of all.slice(0, all.length - this.maxEvents))
      this.store.remove(EVENTS, e.metadata.namespace, e.metadata.name);
    const kept = new Set(all.slice(all.length - this.maxEvents).map((e) => e.metadata.name));
    for (const [k, name] of this.byKey) if (!kept.has(name)) this.byKey.delete(k);
  }
}
