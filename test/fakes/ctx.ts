import type { z } from 'zod';
import type { EventDef, DataOf } from '../../shared/events/define.js';
import type { KubePort } from '../../shared/kube/port.js';
import { createPolicy } from '../../shared/policy/guardrails.js';
import type { Clock, Ids } from '../../shared/runtime/clock.js';
import { loadConfig, type Config } from '../../shared/runtime/config.js';
import type { CortexEvent, Ctx, DeadLetter } from '../../shared/runtime/define-function.js';
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

/** A handler context of fakes: silent logger, fake clock and ids, in-memory store, policy from the config. */
export function createFakeCtx(
  opts: { kube?: KubePort; env?: Record<string, string>; clock?: FakeClock; store?: Store } = {}
): Ctx & {
  clock: FakeClock;
  config: Config;
} {
  const config = loadConfig({ CORTEX_LOG_LEVEL: 'silent', ...opts.env });
  const kube =
    opts.kube ?? (new Proxy({}, { get: () => () => Promise.reject(new Error('no kube in this test')) }) as KubePort);
  return {
    log: createLogger({ name: 'test', level: 'silent' }),
    clock: opts.clock ?? createFakeClock(),
    ids: createFakeIds(),
    config,
    kube,
    policy: createPolicy(config.remediation),
    store: opts.store ?? createMemoryStore()
  };
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
