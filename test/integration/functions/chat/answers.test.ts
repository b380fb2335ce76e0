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

  it('keeps the history of a session: a follow-up reaches Claude with the first exchange', async () => {
    // Prepare
    const opening = await postChat(h.chat.url, { message: 'My favourite colour is teal. Remember that.' });
    const { sessionId, token } = first(opening, 'session') as { sessionId: string; token: string };
    // Act
    const followUp = await postChat(h.chat.url, { message: 'What did I just tell you?', sessionId, token });
    // Assess
    expect(first(followUp, 'session').sessionId).toBe(sessionId);
    const sent = h.standin.requests().at(-1)!.body as { messages: { role: string; content: unknown }[] };
    expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(sent.messages[0]!.content).toBe('My favourite colour is teal. Remember that.');
    expect(String(first(followUp, 'done').message)).toContain('My favourite colour is teal');
  });

  it('accepts the session token as a header too', async () => {
    // Prepare
    const res = await fetch(`${h.chat.url}/chat/sessions`, { method: 'POST' });
    const { sessionId, token } = (await res.json()) as { sessionId: string; token: string };
    // Act
    const reply = await postChat(
      h.chat.url,
      { message: 'Hi there', sessionId },
      { headers: { 'x-cortex-session-token': token } }
    );
    // Assess
    expect(res.status).toBe(201);
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{8,128}$/);
    expect(first(reply, 'session')).toEqual({ sessionId, token });
    expect(names(reply).at(-1)).toBe('done');
  });

  it('calls an MCP tool and answers with its real output', async () => {
    // Prepare
    const question = { message: 'Please use the get_service_status tool and tell me how the service is doing.' };
    // Act
    const reply = await postChat(h.chat.url, question);
    // Assess
    expect(names(reply).filter((n) => n !== 'token')).toEqual(['session', 'tool_call', 'tool_result', 'done']);
    const call = first(reply, 'tool_call');
    expect(call).toMatchObject({ name: 'get_service_status', server: 'demo', input: {} });
    const result = first(reply, 'tool_result');
    expect(result).toMatchObject({ id: call.id, name: 'get_service_status', server: 'demo', isError: false });
    expect(JSON.parse(String(result.content))).toMatchObject({ service: 'mcp-demo', status: 'ok', version: '1.0.0' });
    expect(String(first(reply, 'done').message)).toContain('"service": "mcp-demo"');
    const offered = (h.standin.requests().at(-1)!.body as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(offered).toEqual(['demo__search_docs', 'demo__get_service_status', 'demo__slow_query']);
  });

  it('searches the demo knowledge base through the chat', async () => {
    // Prepare
    const question = { message: 'Use the search_docs tool: which guardrails limit remediation?' };
    // Act
    const reply = await postChat(h.chat.url, question);
    // Assess
    expect(first(reply, 'tool_call').name).toBe('search_docs');
    expect(String(first(reply, 'tool_result').content)).toContain('Guardrails on remediation [guardrails]');
    expect(String(first(reply, 'done').message)).toContain('cortex.dev/self-heal=enabled');
  });
});
