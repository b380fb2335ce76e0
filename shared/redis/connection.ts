import { Redis } from 'ioredis';
import type { RedisConfig } from '../runtime/config.js';
import { describeRedis } from '../runtime/redis-config.js';
import type { Logger } from '../runtime/logging.js';
import { unavailable } from './errors.js';

/*
 * One Redis client per process (DESIGN §11), shared by every function and store of the process and released by the
 * last of them. Commands never queue while Redis is away (`enableOfflineQueue: false`) and are retried at most once
 * on a reconnect (`maxRetriesPerRequest: 1`): a dead Redis is a fast TransientError (503, the broker retries), not a
 * request that hangs until the broker's timeout. The client reconnects on its own with a capped, jittered back-off,
 * and the log says "Redis down" and "Redis up" once per transition, not once per failed command.
 *
 * This module is loaded only when CORTEX_REDIS_URL is set: functions without Redis never import ioredis.
 */

/** A shared connection: the client, whether it is usable now, and a command wrapper with the 503 mapping. */
export interface RedisConnection {
  readonly client: Redis;
  /** Prefix of every key (`CORTEX_REDIS_PREFIX`). */
  readonly prefix: string;
  /** True while the connection is ready; readiness answers 503 otherwise. */
  healthy(): boolean;
  /** Runs commands; a Redis that is down, slow or refusing becomes a TransientError naming `what`. */
  run<T>(what: string, fn: (client: Redis) => Promise<T>): Promise<T>;
  /** Gives the connection back; the last holder closes it. */
  release(): Promise<void>;
}

/** The wait before reconnect attempt `times` (1-based): 100 ms doubling to 2 s, with jitter so replicas do not stampede. */
export function reconnectDelayMs(times: number, random: () => number = Math.random): number {
  const base = Math.min(2_000, 100 * 2 ** Math.min(times - 1, 5));
  return Math.round(base * (0.75 + random() * 0.5));
}

interface Shared {
  conn: RedisConnection;
  refs: number;
  close(): Promise<void>;
}

// Keyed on the configuration, not on a context: one client per Redis per process, whoever asks for it.
const open = new Map<string, Shared>();

function connect(config: RedisConfig, log: Logger, key: string): Shared {
  const where = describeRedis(config.url);
  const client = new Redis(config.url, {
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(config.tls ? { tls: {} } : {}),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: config.timeoutMs,
    commandTimeout: config.timeoutMs,
    retryStrategy: (times) => reconnectDelayMs(times),
    lazyConnect: false
  });
  let up: boolean | undefined;
  let closing = false;
  const mark = (now: boolean, err?: unknown): void => {
    if (closing || up === now) return;
    up = now;
    if (now) log.info({ redis: where }, 'Redis up');
    else
      log.warn(
        { redis: where, reason: err instanceof Error ? err.message : undefined },
        'Redis down: state changes answer 503 until it is back'
      );
  };
  client.on('ready', () => mark(true));
  // Without an error listener ioredis prints every failed reconnect itself.
  client.on('error', (err: unknown) => mark(false, err));
  client.on('close', () => mark(false));
  const conn: RedisConnection = {
    client,
    prefix: config.prefix,
    healthy: () => client.status === 'ready',
    async run(what, fn) {
      try {
        return await fn(client);
      } catch (err) {
        throw unavailable(err, what);
      }
    },
    release: async () => {
      const s = open.get(key);
      if (!s || --s.refs > 0) return;
      open.delete(key);
      await s.close();
    }
  };
  return {
    conn,
    refs: 0,
    close: async () => {
      closing = true;
      await client.quit().catch(() => client.disconnect());
    }
  };
}

/**
 * The process's connection to the configured Redis, opened on first use. Waits up to the configured timeout for it to
 * be ready, and returns anyway: a function whose Redis is down at start serves (readiness false, 503 on state
 * changes) and recovers when Redis comes back, rather than crash-looping.
 *
 * @example
 * const redis = await acquireRedis(config.redis, log);
 * await redis.run('read state', (c) => c.get(`${redis.prefix}k`));
 * await redis.release();
 */
export async function acquireRedis(config: RedisConfig, log: Logger): Promise<RedisConnection> {
  const key = [config.url, config.password ?? '', config.tls, config.timeoutMs, config.prefix].join('\u0000');
  let shared = open.get(key);
  if (!shared) {
    shared = connect(config, log.child({ component: 'redis' }), key);
    open.set(key, shared);
  }
  shared.refs++;
  const { client } = shared.conn;
  if (client.status !== 'ready') {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, config.timeoutMs);
      client.once('ready', done);
    });
  }
  return shared.conn;
}
