import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { first, names, postChat } from '../../../helpers/chat.js';
import { startCutProxy, type CutProxy } from '../../../helpers/cut-proxy.js';
import { startServerEverything, type ServerEverything } from '../../../helpers/server-everything.js';
import { startChatHarness, type ChatHarness } from './harness.js';

/*
 * The chat with the MCP project's reference server, @modelcontextprotocol/server-everything, over Streamable HTTP:
 * a third-party server that exercises the protocol (structured results, progress, resources, images, tools that
 * register after initialisation and announce it with list_changed, a task-only tool). It sits behind a TCP proxy,
 * so it can be replaced mid-session by a fresh process: a new session, listed again.
 */

interface SentBody {
  tools?: { name: string }[];
  messages: { role: string; content: unknown }[];
}

describe('Function: chat with @modelcontextprotocol/server-everything over Streamable HTTP', () => {
  let everything: ServerEverything;
  let proxy: CutProxy;
  let h: ChatHarness;

  beforeAll(async () => {
    everything = await startServerEverything();
    proxy = await startCutProxy(everything.port);
    h = await startChatHarness({
      servers: () => [{ name: 'ev', url: `${proxy.url}/mcp`, target: { namespace: 'mcp', service: 'everything' } }],
      env: { CORTEX_MCP_CALL_TIMEOUT_MS: '1500' }
    });
  });
  afterAll(async () => {
    await h?.stop();
    await proxy?.close();
    await everything?.stop();
  });

  const offered = (): string[] => ((h.standin.requests().at(-1)!.body as SentBody).tools ?? []).map((t) => t.name);

  it('lists its tools (the task-only one left out) and calls one with structured output', async () => {
    // Prepare
    const question = { message: 'Use the get-structured-content tool: location Chicago' };
    // Act
    const reply = await postChat(h.chat.url, question);
    // Assess
    expect(offered()).toEqual(
      expect.arrayContaining([
        'ev__echo',
        'ev__get-sum',
        'ev__get-structured-content',
        'ev__get-tiny-image',
        'ev__trigger-long-running-operation'
      ])
    );
    expect(offered()).not.toContain('ev__simulate-research-query');
    expect(first(reply, 'tool_call')).toMatchObject({ name: 'get-structured-content', input: { location: 'Chicago' } });
    const result = first(reply, 'tool_result');
    expect(result.isError).toBe(false);
    expect(JSON.parse(String(result.content))).toEqual({
      temperature: 36,
      conditions: 'Light rain / drizzle',
      humidity: 82
    });
    expect(names(reply).at(-1)).toBe('done');
  });

  it('a long-running tool outlives the call timeout by reporting progress, and the user sees the progress', async () => {
    // Prepare: 3 s of work against a 1.5 s timeout, a progress notification every 0.6 s.
    const question = { message: 'Use the trigger-long-running-operation tool with duration 3 and steps 5' };
    // Act
    const reply = await postChat(h.chat.url, question);
    // Assess
    expect(first(reply, 'tool_call').input).toEqual({ duration: 3, steps: 5 });
    const progress = reply.events.filter((e) => e.event === 'tool_progress').map((e) => e.data.progress);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(first(reply, 'tool_result')).toMatchObject({
      isError: false,
      content: 'Long running operation completed. Duration: 3 seconds, Steps: 5.'
    });
    expect(h.sink.events.filter((e) => e.type === 'dev.cortex.error.reported')).toHaveLength(0);
  }, 30_000);

  it('an image result and an embedded resource reach Claude as an image block and as text', async () => {
    // Prepare
    const image = { message: 'Use the get-tiny-image tool' };
    const resource = { message: 'Use the get-resource-reference tool with resourceType Text and resourceId 1' };
    // Act
    const withImage = await postChat(h.chat.url, image);
    const imageResult = (h.standin.requests().at(-1)!.body as SentBody).messages.at(-1)!.content;
    const withResource = await postChat(h.chat.url, resource);
    // Assess
    expect(JSON.stringify(imageResult)).toContain('"type":"image"');
    expect(String(first(withImage, 'tool_result').content)).toContain('[image]');
    expect(String(first(withResource, 'tool_result').content)).toContain(
      'Resource demo://resource/dynamic/text/1 (text/plain):\nResource 1: This is a plaintext resource'
    );
  });

  it('survives the server being replaced mid-session: a new MCP session, its tools listed again, the session goes on', async () => {
    // Prepare
    const opening = await postChat(h.chat.url, { message: 'Use the get-sum tool with a 2 and b 3' });
    const { sessionId, token } = first(opening, 'session') as { sessionId: string; token: string };
    const replacement = await startServerEverything();
    proxy.retarget(replacement.port);
    proxy.cut();
    await everything.stop();
    everything = replacement;
    // Act
    const after = await postChat(h.chat.url, { message: 'Use the echo tool with message still here', sessionId, token });
    const next = await postChat(h.chat.url, { message: 'And the get-sum tool with a 1 and b 1', sessionId, token });
    // Assess
    expect(first(opening, 'tool_result')).toMatchObject({ isError: false });
    expect(first(after, 'tool_result')).toMatchObject({ isError: false, content: expect.stringContaining('still here') });
    expect(first(next, 'tool_result')).toMatchObject({ isError: false });
    expect(offered()).toEqual(expect.arrayContaining(['ev__echo', 'ev__get-sum']));
    const sent = h.standin.requests().at(-1)!.body as SentBody;
    expect(sent.messages.filter((m) => m.role === 'user').length).toBeGreaterThanOrEqual(5);
    expect(h.sink.events.filter((e) => e.type === 'dev.cortex.error.reported')).toHaveLength(0);
  }, 30_000);
});
