import type { RedisConfig } from '../runtime/config.js';
import type { Idempotency } from '../runtime/idempotency.js';
import type { Logger } from '../runtime/logging.js';
import { acquireRedis } from './connection.js';
import { createRedisIdempotency } from './idempotency.js';
import { createRedisStore } from './store.js';
import type { Store } from '../runtime/store.js';

/*
 * What the runtime builds on Redis for one served function when CORTEX_REDIS_URL is set. The runtime imports this
 * module lazily (shared/runtime/run.ts), so a function without Redis never loads ioredis.
 */

export interface RedisState<T> {
  seen: Idempotency<T>;
  store: Store;
  /** Why the function is not ready (Redis down), or undefined. */
  unready(): string | undefined;
  release(): Promise<void>;
}

/**
 * @example
 * const state = await openRedisState(config.redis, { fn: def.name, ttlMs, runningTtlMs, log });
 */
export async function openRedisState<T>(
  config: RedisConfig,
  opts: { fn: string; ttlMs: number; runningTtlMs: number; log: Logger }
): Promise<RedisState<T>> {
  const redis = await acquireRedis(config, opts.log);
  return {
    seen: createRedisIdempotency<T>(redis, opts),
    store: createRedisStore(redis, { fn: opts.fn }),
    unready: () => (redis.healthy() ? undefined : 'Redis is unavailable'),
    release: () => redis.release()
  };
}
