import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { first, names, postChat, textOf, type ChatReply } from '../../../helpers/chat.js';
import { startChatHarness, type ChatHarness } from './harness.js';

describe('Function: chat under Claude API faults (real SDK against the stand-in)', () => {
  let h: ChatHarness;

  beforeAll(async () => {
    h = await startChatHarness({ env: { CORTEX_LLM_IDLE_TIMEOUT_MS: '500', CORTEX_LLM_RETRY_CAP_MS: '20000' } });
  });
  afterAll(async () => {
    await h.stop();
  });

  const sessionOf = (reply: ChatReply): string => String(first(reply, 'session').sessionId);
  /** What the chat published for one session (the sink is shared by the tests of this file). */
  const published = (sessionId: string) =>
    h.sink.events.filter((e) => (e.data as { sessionId?: string }).sessionId === sessionId);
  const retryCounts = (from: number): string[] =>
    h.standin
      .requests()
      .slice(from)
      .map((r) => r.headers['x-stainless-retry-count']!);

  it('429 with retry-after 1, then success: one processing_delay of 1000 ms, one chat.delayed, then the answer', async () => {
    // Prepare
    const before = h.standin.requests().length;
    h.standin.faults.push({ kind: 'rate_limit', retryAfterS: 1 });
    // Act
    const reply = await postChat(h.chat.url, { message: 'Hello after a rate limit' });
    // Assess
    expect(names(reply).filter((n) => n !== 'token')).toEqual(['session', 'processing_delay', 'done']);
    const delay = first(reply, 'processing_delay');
    expect(delay).toMatchObject({ attempt: 1, retryInMs: 1000 });
    expect(String(delay.message)).toMatch(/rate-limiting.*retrying in 1 s/);
    const sessionId = sessionOf(reply);
    const events = published(sessionId);
    expect(events.map((e) => e.type)).toEqual(['dev.cortex.chat.delayed']);
    expect(events[0]).toMatchObject({
      source: '/cortex/chat',
      sessionid: sessionId,
      data: { sessionId, attempt: 1, retryInMs: 1000 }
    });
    expect(retryCounts(before)).toEqual(['0', '1']);
  });

  it('three 529s: two delays, then a clear error and an llm_overloaded report without a target', async () => {
    // Prepare
    h.standin.faults.push({ kind: 'overloaded' }, { kind: 'overloaded' }, { kind: 'overloaded' });
    // Act
    const reply = await postChat(h.chat.url, { message: 'Hello while overloaded' });
    // Assess
    expect(names(reply)).toEqual(['session', 'processing_delay', 'processing_delay', 'error']);
    const delays = reply.events.filter((e) => e.event === 'processing_delay').map((e) => e.data);
    expect(delays.map((d) => d.attempt)).toEqual([1, 2]);
    expect(delays[0]!.retryInMs).toBeGreaterThanOrEqual(375);
    expect(delays[0]!.retryInMs).toBeLessThanOrEqual(500);
    expect(delays[1]!.retryInMs).toBeGreaterThanOrEqual(750);
    expect(delays[1]!.retryInMs).toBeLessThanOrEqual(1000);
    const error = first(reply, 'error');
    expect(error.code).toBe('llm_overloaded');
    expect(String(error.message)).toMatch(/Claude is overloaded right now after 3 attempts/);
    const events = published(sessionOf(reply));
    expect(events.map((e) => e.type)).toEqual([
      'dev.cortex.chat.delayed',
      'dev.cortex.chat.delayed',
      'dev.cortex.error.reported'
    ]);
    const report = events[2]!.data as Record<string, unknown>;
    expect(report).toMatchObject({
      component: 'chat',
      category: 'llm_overloaded',
      httpStatus: 529,
      errorCode: 'overloaded_error',
      sessionId: sessionOf(reply)
    });
    expect(report.target).toBeUndefined();
  });

  it('a connection reset is retried and answered', async () => {
    // Prepare
    h.standin.faults.push({ kind: 'reset' });
    // Act
    const reply = await postChat(h.chat.url, { message: 'Hello after a reset' });
    // Assess
    expect(names(reply).filter((n) => n !== 'token')).toEqual(['session', 'processing_delay', 'done']);
    expect(String(first(reply, 'processing_delay').message)).toMatch(/could not be reached \(connection error/);
    expect(String(first(reply, 'done').message)).toContain('Hello after a reset');
  });

  it('a stream that stalls after its headers ends with our idle timeout, not a hang', async () => {
    // Prepare
    h.standin.faults.push({ kind: 'stall', afterEvents: 4 });
    // Act
    const reply = await postChat(h.chat.url, { message: 'Hello and then silence' });
    // Assess
    expect(names(reply)[0]).toBe('session');
    expect(names(reply).at(-1)).toBe('error');
    expect(names(reply)).not.toContain('processing_delay');
    const error = first(reply, 'error');
    expect(error.code).toBe('llm_timeout');
    expect(String(error.message)).toContain('stream idle for 500 ms');
    const [report] = published(sessionOf(reply));
    expect(report?.data).toMatchObject({ category: 'llm_timeout', component: 'chat' });
    expect((report?.data as { target?: unknown }).target).toBeUndefined();
  });

  it('retry-after 3600 is not slept: a clear error at once, llm_rate_limited reported', async () => {
    // Prepare
    const before = h.standin.requests().length;
    h.standin.faults.push({ kind: 'rate_limit', retryAfterS: 3600 });
    // Act
    const reply = await postChat(h.chat.url, { message: 'Hello under a long rate limit' });
    // Assess
    expect(names(reply)).toEqual(['session', 'error']);
    const error = first(reply, 'error');
    expect(error.code).toBe('llm_rate_limited');
    expect(String(error.message)).toContain('asked us to wait 60 min');
    expect(h.standin.requests().length - before).toBe(1);
    const [report] = published(sessionOf(reply));
    expect(report?.data).toMatchObject({ category: 'llm_rate_limited', httpStatus: 429 });
  });

  it('a failed turn leaves the session history as it was', async () => {
    // Prepare
    const opening = await postChat(h.chat.url, { message: 'First question of a session' });
    const session = first(opening, 'session') as { sessionId: string; token: string };
    h.standin.faults.push({ kind: 'server_error' }, { kind: 'server_error' }, { kind: 'server_error' });
    const failed = await postChat(h.chat.url, { message: 'This one fails', ...session });
    // Act
    const next = await postChat(h.chat.url, { message: 'And now?', ...session });
    // Assess
    expect(first(failed, 'error').code).toBe('llm_server_error');
    const sent = h.standin.requests().at(-1)!.body as { messages: { role: string; content: unknown }[] };
    expect(sent.messages.map((m) => textOf(m.content))).toEqual([
      'First question of a session',
      expect.anything(),
      'And now?'
    ]);
    expect(names(next).at(-1)).toBe('done');
  });
});
