import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { first, names, postChat, type ChatReply } from '../../../helpers/chat.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startMcpLab, type McpLab, type McpLabOptions } from '../../../helpers/mcp-lab.js';
import { startChatHarness, type ChatHarness } from './harness.js';

/*
 * The chat against real MCP servers (built with the MCP SDK) that do what production servers do: schemas the API
 * would reject, structured and image results, tool lists that change and come in pages, slow tools reporting
 * progress, and credentials (a static header, OAuth client credentials).
 */

const target = { namespace: 'lab', service: 'mcp-lab' };
const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

interface SentBody {
  tools?: { name: string; description?: string; input_schema: Record<string, unknown> }[];
  messages: { role: string; content: unknown }[];
}

describe('Function: chat with real MCP servers (SDK-built: schemas, content, list changes, progress, auth)', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  const lab = async (opts: McpLabOptions): Promise<McpLab> => {
    const l = await startMcpLab(opts);
    cleanup.push(() => l.stop());
    return l;
  };
  const chat = async (l: McpLab, env: Record<string, string> = {}): Promise<ChatHarness> => {
    const h = await startChatHarness({ servers: () => [{ name: 'lab', url: l.url, target }], env });
    cleanup.push(() => h.stop());
    return h;
  };
  const lastBody = (h: ChatHarness): SentBody => h.standin.requests().at(-1)!.body as SentBody;
  const offered = (h: ChatHarness, i = 0): string[] =>
    ((h.standin.requests()[i]!.body as SentBody).tools ?? []).map((t) => t.name);
  const reports = (h: ChatHarness) => h.sink.events.filter((e) => e.type === 'dev.cortex.error.reported');
  const session = (reply: ChatReply) => first(reply, 'session') as { sessionId: string; token: string };

  it('a top-level anyOf is folded into an object schema, a non-object schema is left out, and the chat answers', async () => {
    // Prepare: raw JSON Schemas as third-party servers send them (the SDK's zod helpers never produce these).
    const l = await lab({
      tools: (s) =>
        rawTools(s, [
          { name: 'echo', inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
          {
            name: 'find_user',
            description: 'Find a user',
            inputSchema: {
              type: 'object',
              properties: { id: { type: 'string' }, email: { type: 'string' } },
              anyOf: [{ required: ['id'] }, { required: ['email'] }]
            }
          },
          { name: 'numbers', description: 'Numbers', inputSchema: { type: 'array', items: { type: 'number' } } }
        ])
    });
    const h = await chat(l);
    // Act
    const reply = await postChat(h.chat.url, { message: 'Please use the find_user tool with id u-42' });
    // Assess
    expect(names(reply).filter((n) => n !== 'token')).toEqual(['session', 'tool_call', 'tool_result', 'done']);
    expect(first(reply, 'tool_call')).toMatchObject({ name: 'find_user', input: {} });
    const tools = lastBody(h).tools!;
    expect(tools.map((t) => t.name)).toEqual(['lab__echo', 'lab__find_user']);
    expect(tools[1]!.input_schema).toEqual({
      type: 'object',
      properties: { id: { type: 'string' }, email: { type: 'string' } }
    });
    expect(tools[1]!.description).toBe('Find a user Give at least one of: id; or email.');
    expect(h.standin.requests().every((r) => r.status === 200)).toBe(true);
  });

  it('structuredContent reaches Claude as JSON text, and an image as an image block', async () => {
    // Prepare
    const l = await lab({
      tools(s) {
        s.registerTool(
          'get_weather',
          { description: 'Weather', outputSchema: { temperature: z.number(), conditions: z.string() } },
          async () => ({ content: [], structuredContent: { temperature: 21, conditions: 'sunny' } })
        );
        s.registerTool('get_chart', { description: 'A chart' }, async () => ({
          content: [{ type: 'image', data: TINY_PNG, mimeType: 'image/png' }]
        }));
      }
    });
    const h = await chat(l);
    // Act
    const weather = await postChat(h.chat.url, { message: 'Please use the get_weather tool' });
    const chart = await postChat(h.chat.url, { message: 'Please use the get_chart tool' });
    // Assess
    expect(first(weather, 'tool_result')).toMatchObject({
      isError: false,
      content: '{"temperature":21,"conditions":"sunny"}'
    });
    expect(String(first(weather, 'done').message)).toContain('"temperature":21');
    const result = (lastBody(h).messages.at(-1)!.content as { type: string; content: unknown }[])[0]!;
    expect(result).toMatchObject({
      type: 'tool_result',
      content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: TINY_PNG } }]
    });
    expect(first(chart, 'tool_result').content).toBe('[image]');
  });

  it('follows tools/list_changed: a tool added and one removed mid-session are seen by the next message', async () => {
    // Prepare
    const echo = (s: McpServer, name: string) =>
      s.registerTool(name, { description: `Echo ${name}` }, async () => ({ content: [{ type: 'text', text: name }] }));
    const l = await lab({ tools: (s) => void echo(s, 'alpha') });
    const h = await chat(l);
    const opening = await postChat(h.chat.url, { message: 'Hello' });
    const server = l.servers.at(-1)!;
    // Act
    const beta = echo(server, 'beta');
    let tools: string[] = [];
    for (let i = 0; i < 50 && !tools.includes('lab__beta'); i++) {
      await sleep(100);
      await postChat(h.chat.url, { message: 'Hello again', ...session(opening) });
      tools = (lastBody(h).tools ?? []).map((t) => t.name);
    }
    beta.remove();
    const after = await waitForTools(h, opening, (t) => !t.includes('lab__beta'));
    const used = await postChat(h.chat.url, { message: 'Please use the alpha tool', ...session(opening) });
    // Assess
    expect(offered(h)).toEqual(['lab__alpha']);
    expect(tools).toEqual(['lab__alpha', 'lab__beta']);
    expect(after).toEqual(['lab__alpha']);
    expect(first(used, 'tool_result')).toMatchObject({ isError: false, content: 'alpha' });
    expect(l.servers).toHaveLength(1);
  });

  it('pages through tools/list: every page of a server with nextCursor is offered', async () => {
    // Prepare
    const all = Array.from({ length: 7 }, (_, i) => ({ name: `tool_${i}`, inputSchema: { type: 'object' } }));
    const l = await lab({ tools: (s) => rawTools(s, all, 3) });
    const h = await chat(l);
    // Act
    await postChat(h.chat.url, { message: 'Hello' });
    // Assess
    expect(offered(h)).toEqual(all.map((t) => `lab__${t.name}`));
  });

  it('progress keeps a slow tool alive past the call timeout, and a timeout after progress heals nothing', async () => {
    // Prepare
    const l = await lab({
      tools(s) {
        s.registerTool('slow_report', { description: 'A slow report' }, async (extra) => {
          for (let step = 1; step <= 5; step++) {
            await sleep(250);
            await extra.sendNotification({
              method: 'notifications/progress',
              params: { progressToken: extra._meta!.progressToken!, progress: step, total: 5, message: `step ${step}` }
            });
          }
          return { content: [{ type: 'text', text: 'report ready' }] };
        });
        s.registerTool('stuck_report', { description: 'A stuck report' }, async (extra) => {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: extra._meta!.progressToken!, progress: 1, total: 5 }
          });
          await sleep(5_000);
          return { content: [{ type: 'text', text: 'too late' }] };
        });
      }
    });
    const h = await chat(l, { CORTEX_MCP_CALL_TIMEOUT_MS: '600' });
    // Act
    const slow = await postChat(h.chat.url, { message: 'Please use the slow_report tool' });
    const stuck = await postChat(h.chat.url, { message: 'Please use the stuck_report tool' });
    // Assess
    const progress = slow.events.filter((e) => e.event === 'tool_progress').map((e) => e.data);
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3, 4, 5]);
    expect(progress[0]).toMatchObject({ name: 'slow_report', server: 'lab', total: 5, message: 'step 1' });
    expect(first(slow, 'tool_result')).toMatchObject({ isError: false, content: 'report ready' });
    expect(first(stuck, 'tool_result')).toMatchObject({ isError: true });
    expect(String(first(stuck, 'tool_result').content)).toContain('still reporting progress');
    expect(names(stuck).at(-1)).toBe('done');
    expect(reports(h)).toHaveLength(0);
  });

  it('a static header from the Secret opens a guarded server; without it: 401, a notice, no healing', async () => {
    // Prepare
    const guarded = (await lab({ tools: (s) => void echoTool(s), requireHeader: { name: 'x-api-key', value: 's3cret' } }))
      .url;
    const withKey = await startChatHarness({
      servers: () => [{ name: 'lab', url: guarded, target }],
      env: { CORTEX_MCP_AUTH: JSON.stringify({ lab: { headers: { 'x-api-key': 's3cret' } } }) }
    });
    cleanup.push(() => withKey.stop());
    const withoutKey = await chat({ url: guarded } as McpLab);
    // Act
    const ok = await postChat(withKey.chat.url, { message: 'Please use the echo tool with text hi' });
    const refused = await postChat(withoutKey.chat.url, { message: 'Please use the echo tool with text hi' });
    // Assess
    expect(first(ok, 'tool_result')).toMatchObject({ isError: false, content: expect.stringContaining('with text hi') });
    expect(first(refused, 'notice')).toMatchObject({ code: 'mcp_unauthorized', server: 'lab' });
    expect(String(first(refused, 'notice').message)).toMatch(/authorization failed.*401/);
    expect(names(refused).at(-1)).toBe('done');
    expect(reports(withoutKey)).toHaveLength(0);
  });

  it('OAuth 2.1 client credentials: the SDK discovers the authorization server, gets a token and the tools work', async () => {
    // Prepare
    const l = await lab({ tools: (s) => void echoTool(s), oauth: { clientId: 'cortex', clientSecret: 'right' } });
    const oauth = (clientSecret: string) =>
      JSON.stringify({ lab: { oauth: { clientId: 'cortex', clientSecret, issuer: l.issuer } } });
    const good = await chat(l, { CORTEX_MCP_AUTH: oauth('right') });
    const bad = await chat(l, { CORTEX_MCP_AUTH: oauth('wrong') });
    // Act
    const ok = await postChat(good.chat.url, { message: 'Please use the echo tool with text hello' });
    const again = await postChat(good.chat.url, { message: 'Please use the echo tool with text again' });
    const refused = await postChat(bad.chat.url, { message: 'Please use the echo tool with text hello' });
    // Assess
    expect(first(ok, 'tool_result')).toMatchObject({ isError: false, content: expect.stringContaining('text hello') });
    expect(first(again, 'tool_result')).toMatchObject({ isError: false, content: expect.stringContaining('text again') });
    expect(l.tokensIssued).toBe(1);
    expect(first(refused, 'notice')).toMatchObject({ code: 'mcp_unauthorized', server: 'lab' });
    expect(reports(bad)).toHaveLength(0);
  });
});

function echoTool(s: McpServer) {
  return s.registerTool('echo', { description: 'Echo', inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text }]
  }));
}

/** Tools served with raw JSON Schemas through the low-level handlers, `pageSize` per tools/list page. */
function rawTools(s: McpServer, tools: Array<{ name: string } & Record<string, unknown>>, pageSize = 100): void {
  s.server.setRequestHandler(ListToolsRequestSchema, (req) => {
    const from = Number(req.params?.cursor ?? 0);
    const next = from + pageSize;
    return { tools: tools.slice(from, next) as never, ...(next < tools.length ? { nextCursor: String(next) } : {}) };
  });
  s.server.setRequestHandler(CallToolRequestSchema, (req) => ({
    content: [{ type: 'text', text: `${req.params.name} called with ${JSON.stringify(req.params.arguments ?? {})}` }]
  }));
}

/** Sends messages until the tools offered satisfy `done` (a list change travels asynchronously). */
async function waitForTools(h: ChatHarness, s: ChatReply, done: (tools: string[]) => boolean): Promise<string[]> {
  const session = first(s, 'session');
  let tools: string[] = [];
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    await postChat(h.chat.url, { message: 'Hello again', sessionId: session.sessionId, token: session.token });
    tools = ((h.standin.requests().at(-1)!.body as SentBody).tools ?? []).map((t) => t.name);
    if (done(tools)) break;
  }
  return tools;
}
