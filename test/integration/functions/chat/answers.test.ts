import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { first, names, postChat } from '../../../helpers/chat.js';
import { startChatHarness, type ChatHarness } from './harness.js';

describe('Function: chat answers over SSE (stand-in Claude, demo MCP server)', () => {
  let h: ChatHarness;

  beforeAll(async () => {
    h = await startChatHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('streams session, tokens and done for a plain question', async () => {
    // Prepare
    const question = { message: 'Hello, what can you tell me about the weather in general?' };
    // Act
    const reply = await postChat(h.chat.url, question);
    // Assess
    expect(reply.error).toBeUndefined();
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^text\/event-stream/);
    const seq = names(reply);
    expect(seq[0]).toBe('session');
    expect(seq.at(-1)).toBe('done');
    expect(seq.filter((n) => n === 'token').length).toBeGreaterThan(2);
    const tokens = reply.events
      .filter((e) => e.event === 'token')
      .map((e) => e.data.delta)
      .join('');
    expect(first(reply, 'done').message).toBe(tokens);
    expect(reply.events.map((e) => Number(e.id))).toEqual(reply.events.map((_, i) => i + 1));
  });
});
