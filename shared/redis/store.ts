import type { Result } from 'ioredis';
import { ConflictError } from '../runtime/errors.js';
import type { Change, Store, Versioned } from '../runtime/store.js';
import type { RedisConnection } from './connection.js';

/*
 * The state port on Redis, shared by every replica of one function (DESIGN §11). Each key is a hash {v: version,
 * d: JSON value}; a write is a compare-and-set in one Lua script that also moves the key in the function's deadline
 * sorted set, so a value and its due time change together. Versions never go back (a delete keeps `v`), so a stale
 * reader can never match a newer value.
 *
 * Within a process, transactions on one key queue up and commit as a group: every queued `fn` runs in order on the
 * value the last one produced, and one compare-and-set writes the result. An error storm of thousands of events for
 * one target costs a few writes per replica, not one round trip (and one copy of a large state) per event. Nobody's
 * promise resolves before the write committed. When another replica wrote in between, the group is run again on the
 * value that won, a few times with jittered back-off, then each caller gets a ConflictError (409: the broker retries).
 *
 * All keys of a function share one hash tag, `{<function>}`, so the script's keys live in one slot on a Redis
 * Cluster.
 */

const CAS = `
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v ~= tonumber(ARGV[1]) then return {0, v} end
v = v + 1
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], 'd')
  redis.call('HSET', KEYS[1], 'v', v)
  redis.call('PERSIST', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[4])
  return {1, v}
end
redis.call('HSET', KEYS[1], 'v', v, 'd', ARGV[2])
if ARGV[3] == '' then redis.call('ZREM', KEYS[2], ARGV[4]) else redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4]) end
if ARGV[5] == '' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
return {1, v}`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    cortexCas(
      key: string,
      dueSet: string,
      expected: number,
      json: string,
      due: string,
      member: string,
      ttlMs: string
    ): Result<[number, number], Context>;
  }
}

/** Attempts of one group before its callers get a ConflictError. */
const MAX_ATTEMPTS = 8;
/** Keys whose last version this process remembers. */
const MAX_KNOWN = 10_000;
/** Transactions committed together at most (a bound on how long one group holds the others). */
const MAX_GROUP = 500;

interface Pending {
  fn: (current: unknown) => Change<unknown, unknown>;
  resolve(result: unknown): void;
  reject(err: unknown): void;
}

export interface RedisStoreOptions {
  /** The function whose state this is: its replicas share it, other functions never see it. */
  fn: string;
  /** Waits between attempts (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * @example
 * const store = createRedisStore(redis, { fn: 'healing-coordinator' });
 * await store.transact('target:demo/api', (s) => ({ value: next(s), result: intents, due: deadline }));
 */
export function createRedisStore(redis: RedisConnection, opts: RedisStoreOptions): Store {
  redis.client.defineCommand('cortexCas', { numberOfKeys: 2, lua: CAS });
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const base = `${redis.prefix}{${opts.fn}}:`;
  const stateKey = (key: string): string => `${base}s:${key}`;
  const dueSet = `${base}due`;
  const queues = new Map<string, Pending[]>();
  // The last version this process wrote or read per key: an uncontended group commits in one round trip.
  const known = new Map<string, Versioned<unknown> | { value: undefined; version: number }>();

  async function read(key: string): Promise<{ value: unknown; version: number }> {
    const [v, d] = await redis.run('read state', (c) => c.hmget(stateKey(key), 'v', 'd'));
    return { value: d === null ? undefined : (JSON.parse(d) as unknown), version: Number(v ?? 0) };
  }

  /** Runs every fn of the group in order; a fn that throws fails alone and leaves the value as it was. */
  function decide(
    group: Pending[],
    start: unknown
  ): { value: unknown; last: Change<unknown, unknown> | undefined; outcomes: Array<{ ok: boolean; value: unknown }> } {
    let value = start;
    let last: Change<unknown, unknown> | undefined;
    const outcomes = group.map((p) => {
      try {
        const change = p.fn(value);
        value = change.value;
        last = change;
        return { ok: true, value: change.result };
      } catch (err) {
        return { ok: false, value: err };
      }
    });
    return { value, last, outcomes };
  }

  async function commit(key: string, group: Pending[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = known.get(key) ?? (await read(key));
      const { value, last, outcomes } = decide(group, current.value);
      if (last === undefined) {
        // Every fn threw: nothing to write.
        group.forEach((p, i) => p.reject(outcomes[i]!.value));
        return;
      }
      const json = value === undefined ? '' : JSON.stringify(value);
      const due = last.due === undefined ? '' : String(Math.round(last.due));
      const ttl = last.ttlMs === undefined ? '' : String(Math.max(1, Math.round(last.ttlMs)));
      const [ok, version] = await redis.run('write state', (c) =>
        c.cortexCas(stateKey(key), dueSet, current.version, json, due, key, ttl)
      );
      if (ok === 1) {
        known.delete(key);
        known.set(key, { value, version });
        // Bounded: the oldest entries go first (a miss costs one read, never a wrong write).
        for (const k of known.keys()) {
          if (known.size <= MAX_KNOWN) break;
          known.delete(k);
        }
        group.forEach((p, i) => (outcomes[i]!.ok ? p.resolve(outcomes[i]!.value) : p.reject(outcomes[i]!.value)));
        return;
      }
      // Another replica wrote first: decide again on what it wrote.
      known.delete(key);
      if (attempt >= MAX_ATTEMPTS) {
        const err = new ConflictError(`state of ${key} kept changing under ${MAX_ATTEMPTS} attempts (version ${version})`);
        group.forEach((p) => p.reject(err));
        return;
      }
      await sleep(Math.random() * 5 * attempt);
    }
  }

  async function drain(key: string, queue: Pending[]): Promise<void> {
    while (queue.length > 0) {
      const group = queue.splice(0, MAX_GROUP);
      try {
        await commit(key, group);
      } catch (err) {
        // Redis away (TransientError) or a bug: everyone in the group hears it; what we knew may be stale now.
        known.delete(key);
        group.forEach((p) => p.reject(err));
      }
    }
    queues.delete(key);
  }

  return {
    async get<T>(key: string): Promise<Versioned<T> | undefined> {
      const { value, version } = await read(key);
      return value === undefined ? undefined : { value: value as T, version };
    },
    transact<T, R>(key: string, fn: (current: T | undefined) => Change<T, R>): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        const pending: Pending = {
          fn: fn as (current: unknown) => Change<unknown, unknown>,
          resolve: resolve as (r: unknown) => void,
          reject
        };
        const queue = queues.get(key);
        if (queue) {
          queue.push(pending);
          return;
        }
        const fresh = [pending];
        queues.set(key, fresh);
        void drain(key, fresh);
      });
    },
    async due(now: number, limit = 1_000): Promise<string[]> {
      return redis.run('read deadlines', (c) => c.zrangebyscore(dueSet, '-inf', String(now), 'LIMIT', 0, limit));
    }
  };
}
