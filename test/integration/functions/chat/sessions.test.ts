import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import { createRedisSessions } from '../../../../functions/chat/redis-sessions.js';
import { MemorySessions } from '../../../../functions/chat/sessions.js';
import { acquireRedis } from '../../../../shared/redis/connection.js';
import { createLogger } from '../../../../shared/runtime/logging.js';
import { redisConfigOf, useRedisConnections, useRedisServer } from '../../../helpers/redis.js';
import { chatSessionsContract } from './sessions-contract.js';

const log = createLogger({ name: 'test', level: 'silent' });
const server = useRedisServer();
const connection = useRedisConnections(server);
let t = 0;
const token = (): string => `turn-${++t}`;
const user = (text: string): MessageParam => ({ role: 'user', content: text });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

chatSessionsContract('in memory', {
  make: async (o) => new MemorySessions({ ...o, maxSessions: 1_000, now: () => Date.now() })
});
chatSessionsContract('Redis', {
  make: async (o) => createRedisSessions(await connection(), { ...o, token, log })
});

describe('Chat sessions on Redis: shared by the replicas of the chat', () => {
  const opts = { ttlMs: 60_000, historyTurns: 5, token, log };

  it("gives a session's next turn on another replica its history, and refuses it there while one is running", async () => {
    // Prepare: two replicas' stores over the same Redis
    const [a, b] = [createRedisSessions(await connection(), opts), createRedisSessions(await connection(), opts)];
    const first = await a.begin('s-replicas');
    // Act
    const whileBusy = await b.begin('s-replicas');
    await first!.commit([user('q1')]);
    await first!.end();
    const second = await b.begin('s-replicas');
    // Assess
    expect(whileBusy).toBeUndefined();
    expect(second!.history).toEqual([user('q1')]);
    await second!.end();
  });

  it('frees a session whose replica went away mid-answer once its lease expires; its late commit changes nothing', async () => {
    // Prepare: replica A on a connection of its own, which goes away while A answers (no more renewals)
    const short = { ...opts, leaseMs: 300 };
    const own = await acquireRedis(redisConfigOf(server().url, { CORTEX_REDIS_TIMEOUT_MS: '501' }), log);
    const a = createRedisSessions(own, short);
    const b = createRedisSessions(await connection(), short);
    const stale = await a.begin('s-orphan');
    const whileHeld = await b.begin('s-orphan');
    await sleep(350); // renewed meanwhile: still held
    const stillHeld = await b.begin('s-orphan');
    own.client.disconnect();
    // Act
    await sleep(450);
    const taken = await b.begin('s-orphan');
    await taken!.commit([user('newer')]);
    await own.client.connect();
    await stale!.commit([user('stale')]);
    await taken!.end();
    const next = await b.begin('s-orphan');
    // Assess
    expect([whileHeld, stillHeld]).toEqual([undefined, undefined]);
    expect(taken).toBeDefined();
    expect(next!.history).toEqual([user('newer')]);
    await next!.end();
    await stale!.end();
    await own.release();
  });
});
