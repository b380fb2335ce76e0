import { afterEach, describe, expect, it } from 'vitest';
import { first, names, postChat, textOf, type ChatReply } from '../../../helpers/chat.js';
import { parseExposition } from '../../../helpers/metrics.js';
import { startChatHarness, type ChatHarness } from './harness.js';

/*
 * The chat against the Claude stand-in doing what the real API does at its limits: a tool call cut by max_tokens,
 * a refusal, an overload inside a 200 stream, prompt caching and a prompt that is too long.
 */

interface SentBody {
  max_tokens: number;
  messages: { role: string; content: unknown }[];
  tools?: { name: string; cache_control?: unknown }[];
  system?: unknown;
}

describe('Function: chat meets the real Messages API behaviours (stand-in)', () => {
  const harnesses: ChatHarness[] = [];
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((h) => h.stop()));
  });
  const start = async (opts: Parameters<typeof startChatHarness>[0] = {}): Promise<ChatHarness> => {
    const h = await startChatHarness(opts);
    harnesses.push(h);
    return h;
  };
  const session = (reply: ChatReply) => first(reply, 'session') as { sessionId: string; token: string };
  const tokens = (reply: ChatReply): string =>
    reply.events
      .filter((e) => e.event === 'token')
      .map((e) => e.data.delta)
      .join('');
  const bodies = (h: ChatHarness, from = 0): SentBody[] =>
    h.standin
      .requests()
      .slice(from)
      .filter((r) => r.path === '/v1/messages')
      .map((r) => r.body as SentBody);

  it('a tool call cut by max_tokens is asked again with more room, streamed once, and the session goes on', async () => {
    // Prepare
    const h = await start({ env: { CORTEX_MAX_TOKENS: '16', CORTEX_MAX_TOKENS_CEILING: '200' } });
    // Act
    const reply = await postChat(h.chat.url, { message: 'Please use the get_service_status tool' });
    const next = await postChat(h.chat.url, { message: 'And what did I ask before?', ...session(reply) });
    // Assess
    // The final answer quotes the tool result and is itself cut at 16 tokens: kept, with a notice.
    expect(names(reply).filter((n) => n !== 'token')).toEqual(['session', 'tool_call', 'tool_result', 'notice', 'done']);
    expect(
      bodies(h)
        .map((b) => b.max_tokens)
        .slice(0, 3)
    ).toEqual([16, 32, 16]);
    expect(tokens(reply).match(/Let me check that/g)).toHaveLength(1);
    expect(names(next).at(-1)).toBe('done');
    expect(h.standin.requests().every((r) => r.status === 200)).toBe(true);
  });

  it('a tool call still cut at the ceiling is dropped, never saved: the user is told and the next message works', async () => {
    // Prepare
    const h = await start({ env: { CORTEX_MAX_TOKENS: '16', CORTEX_MAX_TOKENS_CEILING: '16' } });
    // Act
    const reply = await postChat(h.chat.url, { message: 'Please use the get_service_status tool' });
    const next = await postChat(h.chat.url, { message: 'Hi again', ...session(reply) });
    // Assess
    expect(names(reply)).not.toContain('tool_call');
    expect(first(reply, 'notice')).toMatchObject({ code: 'max_tokens' });
    expect(String(first(reply, 'done').message)).toContain('The answer was cut off');
    expect(names(next).at(-1)).toBe('done');
    const sent = bodies(h).at(-1)!;
    expect(JSON.stringify(sent.messages)).not.toContain('tool_use');
    expect(h.standin.requests().every((r) => r.status === 200)).toBe(true);
  });

  it('parallel tool calls: both run, and their results go back to Claude in one user message', async () => {
    // Prepare
    const h = await start();
    // Act
    const reply = await postChat(h.chat.url, { message: 'Use get_service_status and search_docs about healing' });
    // Assess
    const calls = reply.events.filter((e) => e.event === 'tool_call').map((e) => e.data.name);
    expect(calls).toEqual(['search_docs', 'get_service_status']);
    expect(names(reply).at(-1)).toBe('done');
    const last = bodies(h).at(-1)!.messages.at(-1)!.content as { type: string }[];
    expect(last.map((b) => b.type)).toEqual(['tool_result', 'tool_result']);
  });

  it('a refusal resets the conversation and says so; the next message is answered without the refused context', async () => {
    // Prepare
    const h = await start();
    const opening = await postChat(h.chat.url, { message: 'Remember the word teal.' });
    h.standin.faults.push({ kind: 'refusal', category: 'cyber' });
    // Act
    const refused = await postChat(h.chat.url, { message: 'Now something risky', ...session(opening) });
    const after = await postChat(h.chat.url, { message: 'Hello again', ...session(opening) });
    // Assess
    expect(names(refused).at(-1)).toBe('error');
    const error = first(refused, 'error');
    expect(error).toMatchObject({ code: 'refused', category: 'cyber' });
    expect(String(error.message)).toMatch(/could enable cyber harm.*conversation has been reset/);
    expect(names(after).at(-1)).toBe('done');
    expect(
      bodies(h)
        .at(-1)!
        .messages.map((m) => textOf(m.content))
    ).toEqual(['Hello again']);
    expect(h.sink.events.filter((e) => e.type === 'dev.cortex.error.reported')).toHaveLength(0);
  });

  it('an overload inside the stream before any token is retried; after a token it is an error', async () => {
    // Prepare
    const h = await start();
    h.standin.faults.push({ kind: 'stream_error', afterEvents: 2 });
    const before = await postChat(h.chat.url, { message: 'Hello before the first token' });
    h.standin.faults.push({ kind: 'stream_error', error: 'api_error' });
    // Act
    const after = await postChat(h.chat.url, { message: 'Hello after the first token' });
    // Assess
    expect(names(before).filter((n) => n !== 'token')).toEqual(['session', 'processing_delay', 'done']);
    expect(String(first(before, 'processing_delay').message)).toMatch(/overloaded.*error in the stream/);
    expect(String(first(before, 'done').message)).toContain('Hello before the first token');
    expect(names(after).at(-1)).toBe('error');
    expect(first(after, 'error').code).toBe('llm_server_error');
    expect(h.standin.requests()).toHaveLength(3);
  });

  it('a long pause filled with pings keeps the answer alive past the idle timeout', async () => {
    // Prepare
    const h = await start({ env: { CORTEX_LLM_IDLE_TIMEOUT_MS: '500' } });
    h.standin.faults.push({ kind: 'pause', ms: 1_500, pingMs: 200 });
    // Act
    const reply = await postChat(h.chat.url, { message: 'Hello, take your time' });
    // Assess
    expect(names(reply).filter((n) => n !== 'token')).toEqual(['session', 'done']);
    expect(h.standin.requests()).toHaveLength(1);
  });

  it('prompt caching: breakpoints on tools, system and conversation; the second message reads its prefix from the cache', async () => {
    // Prepare
    const h = await start({ standin: { minCacheTokens: 256 } });
    const opening = await postChat(h.chat.url, { message: 'Please use the search_docs tool: what is healing?' });
    // Act
    const second = await postChat(h.chat.url, { message: 'Thanks. And what are guardrails?', ...session(opening) });
    const metrics = parseExposition(await (await fetch(`${h.chat.url}/metrics`)).text());
    // Assess
    expect(names(second).at(-1)).toBe('done');
    const sent = bodies(h);
    expect(sent[0]!.tools!.at(-1)!.cache_control).toEqual({ type: 'ephemeral' });
    expect(sent[0]!.system).toEqual([expect.objectContaining({ cache_control: { type: 'ephemeral' } })]);
    const usage = h.standin.requests().map((r) => r.usage);
    expect(usage[0]).toMatchObject({ cacheReadTokens: 0 });
    expect(usage[0]!.cacheCreationTokens).toBeGreaterThan(256);
    expect(usage.at(-1)!.cacheReadTokens).toBeGreaterThan(usage[0]!.cacheCreationTokens);
    const read = usage.reduce((n, u) => n + u!.cacheReadTokens, 0);
    expect(metrics.value('cortex_chat_llm_tokens', { kind: 'cache_read' })).toBe(read);
    expect(metrics.value('cortex_chat_prompt_cache_saved_tokens')).toBeGreaterThan(0);
  });

  it('a prompt the API finds too long is trimmed and sent again', async () => {
    // Prepare: the chat thinks the window is far larger than the model's, so only the API's 400 can tell it.
    const h = await start({ standin: { contextWindow: 3_000 }, env: { CORTEX_CHAT_CONTEXT_TOKENS: '100000' } });
    let reply = await postChat(h.chat.url, { message: `Remember this: ${'lorem ipsum '.repeat(300)}` });
    const endings = [names(reply).at(-1)];
    for (let i = 0; i < 3; i++) {
      reply = await postChat(h.chat.url, { message: `More: ${'dolor sit amet '.repeat(150)} (${i})`, ...session(reply) });
      endings.push(names(reply).at(-1));
    }
    // Act
    const last = await postChat(h.chat.url, { message: 'Still there?', ...session(reply) });
    // Assess
    expect([...endings, names(last).at(-1)]).toEqual(['done', 'done', 'done', 'done', 'done']);
    const statuses = h.standin.requests().map((r) => r.status);
    expect(statuses).toContain(400);
    expect(statuses.at(-1)).toBe(200);
    expect(textOf(bodies(h).at(-1)!.messages.at(-1)!.content)).toBe('Still there?');
  });
});
