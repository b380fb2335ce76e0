import { attributesOf, toBinary, type CloudEventRecord } from '../../shared/events/http.js';
import type { KubePort } from '../../shared/kube/port.js';
import { systemIds } from '../../shared/runtime/clock.js';
import type { AnyFunctionDef, RouteCtx } from '../../shared/runtime/define-function.js';
import { sourceOf } from '../../shared/events/envelope.js';
import { deliver, stampIntents, type DeliveryDeps } from '../../shared/runtime/delivery.js';
import { createIdempotency } from '../../shared/runtime/idempotency.js';
import { compileFilter } from '../../local/broker/filters.js';
import { loadKnativeDir } from '../../local/broker/loader.js';
import { createTrust } from '../../shared/trust/trust.js';
import { TEST_KEY_ENV } from '../helpers/signing.js';
import { ctxFor, type FakeClock } from './ctx.js';

/*
 * An in-memory broker for whole flows at unit speed: every event is routed by the Trigger files in knative/ (their
 * filters, as the local broker compiles them) to the function definitions, and delivered through the runtime's own
 * delivery path (strict parsing, schema validation, dedupe, handler, stamping) without HTTP. What a function emits
 * goes back on the bus. Nothing runs concurrently: deliveries happen one at a time, in publish order.
 */

export interface BusDelivery {
  readonly to: string;
  readonly type: string;
  readonly id: string;
}

export interface Bus {
  /** Every event published on the bus, in order (what the broker ingress accepted). */
  readonly events: CloudEventRecord[];
  /** Every delivery made, in order. */
  readonly deliveries: BusDelivery[];
  /** Publishes an event as a producer outside the functions would, and delivers until nothing is left. */
  send(event: CloudEventRecord): Promise<void>;
  /** Runs one function's declared tick now (as its timer would) and delivers what it publishes. */
  tick(fn: string, tickId?: string): Promise<void>;
  /** The events of one type seen so far, data typed by the caller. */
  ofType<D = Record<string, unknown>>(type: string): Array<CloudEventRecord & { data: D }>;
}

export interface BusOptions {
  defs: readonly AnyFunctionDef[];
  kube: KubePort;
  clock: FakeClock;
  env?: Record<string, string>;
  knativeDir?: string;
}

const loaded = new Map<string, ReturnType<typeof loadKnativeDir>>();
/** The Knative resources of a directory, read once per test file. */
function triggersOf(dir: string): ReturnType<typeof loadKnativeDir> {
  if (!loaded.has(dir)) loaded.set(dir, loadKnativeDir(dir));
  return loaded.get(dir)!;
}

/**
 * @example
 * const bus = await createBus({ defs: await loadAll(), kube: createFakeKube(cluster), clock: createFakeClock() });
 * await bus.send(errorReport);
 * bus.ofType('dev.cortex.healing.completed'); // → [ … ]
 */
export async function createBus(opts: BusOptions): Promise<Bus> {
  const { triggers } = await triggersOf(opts.knativeDir ?? 'knative');
  const queue: CloudEventRecord[] = [];
  const events: CloudEventRecord[] = [];
  const deliveries: BusDelivery[] = [];
  const enqueue = async (event: CloudEventRecord): Promise<void> => void (events.push(event), queue.push(event));
  const byName = new Map<string, DeliveryDeps & { ctx: RouteCtx }>();
  for (const def of opts.defs) {
    const env = { ...TEST_KEY_ENV, ...opts.env };
    const ctx = await ctxFor(def, { kube: opts.kube, clock: opts.clock, ids: systemIds, env });
    const seen = createIdempotency<CloudEventRecord[]>({
      ttlMs: 600_000,
      maxKeys: 10_000,
      now: () => opts.clock.now().getTime()
    });
    // The runtime's trust too: requests are signed and verified on the bus as over HTTP.
    const trust = createTrust(def, ctx.config.security.keys, ctx);
    byName.set(def.name, { def, ctx, publish: enqueue, seen, trust });
  }
  const routes = triggers
    .map((t) => ({ to: t.spec.subscriber.ref?.name, filter: compileFilter(t.spec) }))
    .filter((r): r is { to: string; filter: ReturnType<typeof compileFilter> } => r.to !== undefined && byName.has(r.to));

  const drain = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const attrs = attributesOf(next);
      for (const route of routes.filter((r) => r.filter.matches(attrs))) {
        const { headers, body } = toBinary(next);
        deliveries.push({ to: route.to, type: next.type, id: next.id });
        await deliver(byName.get(route.to)!, headers, body);
      }
    }
  };

  return {
    events,
    deliveries,
    async send(event) {
      await enqueue(event);
      await drain();
    },
    async tick(fn, tickId = `tick-${opts.clock.now().toISOString()}`) {
      const { def, ctx: base, trust } = byName.get(fn)!;
      // What a tick publishes itself goes on the bus, stamped (and sealed) as the runtime's publish hook does it.
      const ctx = {
        ...base,
        publish: async (intents: Parameters<typeof base.publish>[0], cause?: Parameters<typeof base.publish>[1]) => {
          for (const e of stampIntents(def, intents, cause, base, undefined, trust?.seal)) await enqueue(e);
        }
      };
      for (const b of (await def.tick?.run(ctx, tickId)) ?? []) {
        const cause = { id: `${tickId}:${b.key}`, source: sourceOf(def.name), traceparent: b.traceparent };
        for (const e of stampIntents(def, b.intents, cause, ctx, undefined, trust?.seal)) await enqueue(e);
      }
      await drain();
    },
    ofType: <D>(type: string) => events.filter((e) => e.type === type) as Array<CloudEventRecord & { data: D }>
  };
}
