import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import chat from '../../../../functions/chat/index.js';
import { run, type RunningFunction } from '../../../../shared/runtime/run.js';
import { first, names, postChat } from '../../../helpers/chat.js';
import { startRedisServer, type RedisServer } from '../../../helpers/redis.js';
import { startChatHarness, type ChatHarness } from './harness.js';

/*
 * Two chat replicas on one Redis (DESIGN §11): a session's next message may land on either and finds its history;
 * one message per session at a time holds across them; with Redis away the chat answers 503 and stays up.
 */

const textOf = (body: unknown): string => JSON.stringify((body as { messages: unknown[] }).messages);

describe('Function: chat, two replicas on Redis', () => {
  let redis: RedisServer;
  let h: ChatHarness;
  let other: RunningFunction;
  const createdOn = async (fn: RunningFunction): Promise<{ status: number; body: { sessionId: string; token: string } }> => {
    const res = await fetch(`${fn.url}/chat/sessions`, { method: 'POST' });
    return { status: res.status, body: (await res.json()) as { sessionId: string; token: string } };
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    h = await startChatHarness({ env: { CORTEX_REDIS_URL: redis.url, CORTEX_REDIS_TIMEOUT_MS: '500' } });
    // The second replica: the same configuration, its own process state.
    other = await run(chat, { config: h.chat.config });
  });
  afterAll(async () => {
    await other?.stop();
    await h?.stop();
    await redis?.dispose();
  });

  it("answers a session's second message on the other replica with the first one's history", async () => {
    // Prepare
    const { body: session } = await createdOn(h.chat);
    const one = await postChat(h.chat.url, { message: 'My favourite colour is ultramarine.', ...session });
    const before = h.standin.requests().length;
    // Act
    const two = await postChat(other.url, { message: 'Which colour did I name?', ...session });
    // Assess
    expect([names(one).at(-1), names(two).at(-1)]).toEqual(['done', 'done']);
    const sent = h.standin.requests().slice(before);
    expect(sent).toHaveLength(1);
    expect(textOf(sent[0]!.body)).toContain('My favourite colour is ultramarine.');
    expect(textOf(sent[0]!.body)).toContain(JSON.stringify(first(one, 'done').message).slice(1, -1));
  });

  it('refuses a message on one replica while the other answers the same session (409), and takes it after', async () => {
    // Prepare
    const { body: session } = await createdOn(other);
    const before = h.standin.requests().length;
    h.standin.faults.push({ kind: 'delay_headers', ms: 1500 });
    const slow = postChat(h.chat.url, { message: 'a slow one', ...session });
    while (h.standin.requests().length === before) await new Promise((r) => setTimeout(r, 10));
    // Act
    const meanwhile = await postChat(other.url, { message: 'me too', ...session });
    const done = await slow;
    const after = await postChat(other.url, { message: 'now me', ...session });
    // Assess
    expect([meanwhile.status, meanwhile.error?.code]).toEqual([409, 'session_busy']);
    expect(names(done).at(-1)).toBe('done');
    expect(names(after).at(-1)).toBe('done');
  });

  it('answers 503 while Redis is away, reports not ready, and serves again once it is back', async () => {
    // Prepare
    const { body: session } = await createdOn(h.chat);
    await redis.stop();
    // Act
    const created = await fetch(`${other.url}/chat/sessions`, { method: 'POST' });
    const message = await postChat(other.url, { message: 'hello?', ...session });
    const ready = await fetch(`${other.url}/health/readiness`);
    const alive = await fetch(`${other.url}/health/liveness`);
    await redis.start();
    let back = 0;
    for (let i = 0; i < 100 && back !== 200; i++) {
      back = (await fetch(`${other.url}/health/readiness`)).status;
      if (back !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    const again = await postChat(other.url, { message: 'hello again', ...session });
    // Assess
    expect([created.status, message.status, message.error?.code]).toEqual([503, 503, 'unavailable']);
    expect([ready.status, alive.status]).toEqual([503, 200]);
    expect(back).toBe(200);
    expect(names(again).at(-1)).toBe('done');
  });

  it('finishes an answer that was streaming when Redis went away, and says its history could not be stored', async () => {
    // Prepare
    const { body: session } = await createdOn(h.chat);
    const before = h.standin.requests().length;
    h.standin.faults.push({ kind: 'delay_headers', ms: 1000 });
    const slow = postChat(h.chat.url, { message: 'a slow one', ...session });
    while (h.standin.requests().length === before) await new Promise((r) => setTimeout(r, 10));
    // Act
    await redis.stop();
    const reply = await slow;
    await redis.start();
    // Assess
    expect(names(reply).slice(-2)).toEqual(['notice', 'done']);
    expect(first(reply, 'notice')).toMatchObject({ code: 'history_not_saved' });
  });
});
