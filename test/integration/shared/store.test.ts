import { describe, expect, it } from 'vitest';
import { createRedisStore } from '../../../shared/redis/store.js';
import { ConflictError } from '../../../shared/runtime/errors.js';
import { createMemoryStore } from '../../../shared/runtime/store.js';
import { useRedisConnections, useRedisServer } from '../../helpers/redis.js';
import { storeContract } from './store-contract.js';

const server = useRedisServer();
const connection = useRedisConnections(server);

storeContract('in memory', async () => createMemoryStore());
storeContract('Redis', async () => createRedisStore(await connection(), { fn: 'contract' }));

describe('Store on Redis: replicas of one function', () => {
  it('lets concurrent writers on several replicas each decide on the value the last commit left', async () => {
    // Prepare: three replicas (three stores, each with its own queue and cache) over one Redis
    const replicas = await Promise.all([0, 1, 2].map(async () => createRedisStore(await connection(), { fn: 'replicas' })));
    const key = 'target:demo/api';
    // Act: 3 × 100 increments at once; each returns the value it saw
    const seen = await Promise.all(
      replicas.flatMap((store) =>
        Array.from({ length: 100 }, () =>
          store.transact(key, (s: number | undefined) => ({ value: (s ?? 0) + 1, result: s ?? 0 }))
        )
      )
    );
    // Assess: no increment lost, and no two callers were told the same value (no stale decision got out)
    expect((await replicas[0]!.get<number>(key))?.value).toBe(300);
    expect(new Set(seen).size).toBe(300);
  });

  it('starts one "healing" however many replicas race to start it', async () => {
    // Prepare
    const replicas = await Promise.all([0, 1, 2].map(async () => createRedisStore(await connection(), { fn: 'flight' })));
    // Act: every replica tries to start at once
    const started = await Promise.all(
      replicas.map((store, i) =>
        store.transact('target:demo/mcp', (s: { active?: string } | undefined) =>
          s?.active ? { value: s, result: false } : { value: { active: `h-${i}` }, result: true }
        )
      )
    );
    // Assess
    expect(started.filter(Boolean)).toHaveLength(1);
  });

  it('gives up with ConflictError (409, retried by the broker) when another writer always wins', async () => {
    // Prepare: another writer bumps the version between every read and compare-and-set (its command goes out on the
    // same connection just before the store's own)
    const redis = await connection();
    const store = createRedisStore(redis, { fn: 'conflict', sleep: async () => undefined });
    await store.transact('k', () => ({ value: 0, result: undefined }));
    let attempts = 0;
    // Act
    const err = await store
      .transact('k', (s: number | undefined) => {
        attempts++;
        void redis.client.hincrby('cortex:{conflict}:s:k', 'v', 1);
        return { value: (s ?? 0) + 1, result: undefined };
      })
      .catch((e: unknown) => e);
    // Assess: it decided again on every newer value, and never wrote its stale decision
    expect(err).toBeInstanceOf(ConflictError);
    expect(attempts).toBeGreaterThan(1);
    expect((await store.get<number>('k'))?.value).toBe(0);
  });

  it('keeps the state of two functions apart', async () => {
    // Prepare
    const redis = await connection();
    const a = createRedisStore(redis, { fn: 'fn-a' });
    const b = createRedisStore(redis, { fn: 'fn-b' });
    // Act
    await a.transact('k', () => ({ value: 'a', result: undefined }));
    // Assess
    expect(await b.get('k')).toBeUndefined();
  });
});
