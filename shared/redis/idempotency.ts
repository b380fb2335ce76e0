import { randomUUID } from 'node:crypto';
import type { Result } from 'ioredis';
import type { Idempotency } from '../runtime/idempotency.js';
import type { Logger } from '../runtime/logging.js';
import type { RedisConnection } from './connection.js';

/*
 * The runtime's idempotency record on Redis, shared by every replica of one function (DESIGN §11: `SET NX` with a
 * TTL). One key per event: `running:<token>` while a replica handles it (expires after `runningTtlMs`, so an event
 * whose handler died with its process is delivered again), `done` once handled (kept `ttlMs`). What a handled but
 * unpublished attempt decided is stashed beside it, so whichever replica gets the redelivery publishes exactly that.
 */

const ABANDON = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    cortexAbandon(key: string, token: string): Result<number, Context>;
  }
}

export interface RedisIdempotencyOptions {
  /** The function whose deliveries are recorded: replicas of one function share its records, functions never do. */
  fn: string;
  ttlMs: number;
  runningTtlMs: number;
  log: Logger;
}

/**
 * @example
 * const seen = createRedisIdempotency(redis, { fn: 'error-intake', ttlMs: 600_000, runningTtlMs: 30_000, log });
 * if ((await seen.begin(key)) === 'done') return 202;
 */
export function createRedisIdempotency<T>(redis: RedisConnection, opts: RedisIdempotencyOptions): Idempotency<T> {
  redis.client.defineCommand('cortexAbandon', { numberOfKeys: 1, lua: ABANDON });
  const base = `${redis.prefix}${opts.fn}:seen:`;
  const record = (key: string): string => base + key;
  const stashKey = (key: string): string => `${base}${key}:stash`;
  // The token of each running mark this process holds, so an abandon never drops another replica's mark.
  const tokens = new Map<string, string>();

  return {
    async begin(key) {
      const token = `running:${randomUUID()}`;
      // Atomic: set the running mark unless a record exists, and read the record that was there.
      const previous = await redis.run('record the delivery', (c) =>
        c.call('SET', record(key), token, 'PX', String(opts.runningTtlMs), 'NX', 'GET')
      );
      if (previous === null) {
        tokens.set(key, token);
        return 'new';
      }
      return previous === 'done' ? 'done' : 'running';
    },
    async complete(key) {
      await redis.run('record the delivery as handled', (c) =>
        c.multi().set(record(key), 'done', 'PX', opts.ttlMs).del(stashKey(key)).exec()
      );
      tokens.delete(key);
    },
    async abandon(key) {
      const token = tokens.get(key);
      tokens.delete(key);
      if (!token) return;
      // If Redis is away the mark expires on its own after runningTtlMs.
      await redis
        .run('drop the running mark', (c) => c.cortexAbandon(record(key), token))
        .catch((err: unknown) => opts.log.debug({ err }, 'running mark left to expire'));
    },
    async stash(key, value) {
      await redis.run('keep what was decided', (c) => c.set(stashKey(key), JSON.stringify(value), 'PX', opts.ttlMs));
    },
    async stashed(key) {
      const text = await redis.run('read what was decided', (c) => c.get(stashKey(key)));
      return text === null ? undefined : (JSON.parse(text) as T);
    }
  };
}
