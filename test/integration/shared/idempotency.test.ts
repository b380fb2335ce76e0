import { describe, expect, it } from 'vitest';
import { createRedisIdempotency } from '../../../shared/redis/idempotency.js';
import { createIdempotency } from '../../../shared/runtime/idempotency.js';
import { createLogger } from '../../../shared/runtime/logging.js';
import { useRedisConnections, useRedisServer } from '../../helpers/redis.js';
import { idempotencyContract } from './idempotency-contract.js';

const log = createLogger({ name: 'test', level: 'silent' });
const server = useRedisServer();
const connection = useRedisConnections(server);

idempotencyContract('in memory', {
  make: async (o) => createIdempotency({ ...o, maxKeys: 1_000, now: () => Date.now() })
});
idempotencyContract('Redis', {
  make: async (o) => createRedisIdempotency(await connection(), { ...o, fn: 'contract', log })
});

describe('Idempotency on Redis: shared by the replicas of one function', () => {
  it('tells a second replica that the event is running, then done', async () => {
    // Prepare: two replicas of one function, each with its own record over the same Redis
    const opts = { fn: 'error-intake', ttlMs: 60_000, runningTtlMs: 60_000, log };
    const a = createRedisIdempotency<string[]>(await connection(), opts);
    const b = createRedisIdempotency<string[]>(await connection(), opts);
    // Act
    const first = await a.begin('/chat\u0000e-1');
    const other = await b.begin('/chat\u0000e-1');
    await b.abandon('/chat\u0000e-1'); // not b's mark: it must not drop a's
    const stillRunning = await b.begin('/chat\u0000e-1');
    await a.stash('/chat\u0000e-1', ['x']);
    const stashed = await b.stashed('/chat\u0000e-1');
    await a.complete('/chat\u0000e-1');
    // Assess
    expect([first, other, stillRunning, await b.begin('/chat\u0000e-1')]).toEqual(['new', 'running', 'running', 'done']);
    expect(stashed).toEqual(['x']);
  });

  it('keeps the records of two functions apart', async () => {
    // Prepare
    const r = await connection();
    const intake = createRedisIdempotency(r, { fn: 'error-intake', ttlMs: 60_000, runningTtlMs: 60_000, log });
    const relay = createRedisIdempotency(r, { fn: 'sse-relay', ttlMs: 60_000, runningTtlMs: 60_000, log });
    // Act
    await intake.begin('/chat\u0000e-2');
    await intake.complete('/chat\u0000e-2');
    // Assess
    expect(await relay.begin('/chat\u0000e-2')).toBe('new');
  });
});
