import type { z } from 'zod';
import type { EventDef, DataOf } from '../../shared/events/define.js';
import type { KubePort } from '../../shared/kube/port.js';
import { createPolicy } from '../../shared/policy/guardrails.js';
import type { Clock, Ids } from '../../shared/runtime/clock.js';
import { loadConfig, type Config } from '../../shared/runtime/config.js';
import type { Intent } from '../../shared/events/define.js';
import type { Cause } from '../../shared/events/envelope.js';
import type { CortexEvent, DeadLetter, RouteCtx, SetupCtx } from '../../shared/runtime/define-function.js';
import { createLogger } from '../../shared/runtime/logging.js';
import { createMemoryStore, type Store } from '../../shared/runtime/store.js';

/** A clock tests move by hand. */
export interface FakeClock extends Clock {
  set(iso: string | number): void;
  advance(ms: number): void;
}

export function createFakeClock(start = '2026-11-27T10:00:00.000Z'): FakeClock {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), set: (v) => void (t = new Date(v).getTime()), advance: (ms) => void (t += ms) };
}

/** Ids that count up, so assertions can name them. */
export function createFakeIds(): Ids {
  let n = 0;
  return { uuid: () => `uuid-${++n}`, derive: (...parts) => `id(${parts.join('|')})` };
}

export interface FakeCtxOptions<D> {
  kube?: KubePort;
  env?: Record<string, string>;
  clock?: FakeClock;
  store?: Store;
  /** Real hash-based ids where a test needs them (deterministic either way); counting fakes by default. */
  ids?: Ids;
  /** Builds `deps` from the fake ports and the configuration, as a function's `setup` would. */
  setup?: (ctx: SetupCtx) => D;
}

/** What `publish` got from routes, setup or ticks in a test. */
export interface Published {
  intents: readonly Intent[];
  cause: Cause | undefined;
}

/**
 * A handler context of fakes: silent logger, fake clock and ids, in-memory store, policy from the config, and the
 * `deps` its setup built (undefined without one). `published` records what was published directly.
 */
export function createFakeCtx<D = undefined>(
  opts: FakeCtxOptions<D> = {}
): RouteCtx<D> & { clock: FakeClock; config: Config; published: Published[] } {
  const config = loadConfig({ CORTEX_LOG_LEVEL: 'silent', ...opts.env });
  const kube =
    opts.kube ?? (new Proxy({}, { get: () => () => Promise.reject(new Error('no kube in this test')) }) as KubePort);
  const published: Published[] = [];
  const ports = {
    log: createLogger({ name: 'test', level: 'silent' }),
    clock: opts.clock ?? createFakeClock(),
    ids: opts.ids ?? createFakeIds(),
    kube,
    policy: createPolicy(config.remediation),
    store: opts.store ?? createMemoryStore()
  };
  const hooks = {
    publish: async (intents: readonly Intent[], cause?: Cause) => void published.push({ intents, cause }),
    onShutdown: () => undefined
  };
  const deps = opts.setup ? opts.setup({ ...ports, ...hooks, config }) : (undefined as D);
  return { ...ports, ...hooks, config, deps, published };
}

/** The context a function's handler gets in a test: fakes, and the deps the function's own setup builds from them. */
export async function ctxFor<D>(
  def: { setup?: (ctx: SetupCtx) => D | Promise<D> },
  opts: Omit<FakeCtxOptions<D>, 'setup'> = {}
): Promise<RouteCtx<D> & { clock: FakeClock; config: Config; published: Published[] }> {
  const ctx = createFakeCtx<D | Promise<D> | undefined>({ ...opts, ...(def.setup ? { setup: def.setup } : {}) });
  return { ...ctx, deps: (await ctx.deps) as D };
}

/** An incoming event as a handler sees it, typed by its catalog entry. */
export function eventOf<D extends EventDef>(
  def: D,
  data: z.input<D['data']>,
  opts: { id?: string; source?: string; deadLetter?: DeadLetter; extensions?: Record<string, unknown> } = {}
): CortexEvent<D['type'], DataOf<D>> {
  return {
    id: opts.id ?? 'evt-1',
    source: opts.source ?? '/test',
    type: def.type,
    time: '2026-11-27T10:00:00.000Z',
    data: def.data.parse(data) as DataOf<D>,
    extensions: opts.extensions ?? {},
    ...(opts.deadLetter ? { deadLetter: opts.deadLetter } : {})
  };
}
