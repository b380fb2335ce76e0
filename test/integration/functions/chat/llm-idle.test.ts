import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLlm, type LlmResult } from '../../../../functions/chat/llm.js';
import { createLogger } from '../../../../shared/runtime/logging.js';

const frame = (type: string, body: Record<string, unknown>): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...body })}\n\n`;
const START = frame('message_start', {
  message: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'm',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1 }
  }
});
const REST = [
  frame('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  frame('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Finally.' } }),
  frame('content_block_stop', { index: 0 }),
  frame('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } }),
  frame('message_stop', {})
].join('');

/** A Messages API that answers after a pause, sending `ping` frames during it or nothing at all. */
async function pausingApi(opts: { pauseMs: number; pingEveryMs?: number }): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res: ServerResponse) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_1' });
    res.write(START);
    const ping = opts.pingEveryMs ? setInterval(() => res.write(frame('ping', {})), opts.pingEveryMs) : undefined;
    const done = setTimeout(() => {
      clearInterval(ping);
      res.end(REST);
    }, opts.pauseMs);
    res.on('close', () => (clearInterval(ping), clearTimeout(done)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('Function: chat idle timeout on Claude streams (our timer, on the bytes of the body)', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())));
  });

  const complete = async (url: string): Promise<LlmResult> => {
    const config = {
      apiKey: 'k',
      baseUrl: url,
      model: 'm',
      maxTokens: 64,
      maxRetries: 2,
      timeoutMs: 5000,
      retryCapMs: 10_000,
      idleTimeoutMs: 1000,
      maxTokensCeiling: 64,
      promptCache: false
    };
    const llm = createLlm({ config, fetch, log: createLogger({ name: 'test', level: 'silent' }), now: Date.now });
    const hooks = { onText: () => undefined, onDelay: () => undefined };
    return llm.complete(
      { system: 's', messages: [{ role: 'user', content: 'hi' }], tools: [] },
      hooks,
      new AbortController().signal
    );
  };

  it('a pause filled with ping frames is not idle: the answer arrives', async () => {
    // Prepare
    const api = await pausingApi({ pauseMs: 2500, pingEveryMs: 100 });
    servers.push(api.server);
    // Act
    const result = await complete(api.url);
    // Assess
    expect(result.ok).toBe(true);
    expect(result.ok && result.message.content).toEqual([{ type: 'text', text: 'Finally.' }]);
  });

  it('a silent pause longer than the idle timeout ends the call as llm_timeout, not retried', async () => {
    // Prepare
    const api = await pausingApi({ pauseMs: 60_000 });
    servers.push(api.server);
    // Act
    const result = await complete(api.url);
    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.failure).toMatchObject({
      category: 'llm_timeout',
      retryable: false,
      detail: 'stream idle for 1000 ms'
    });
    expect(!result.ok && result.attempts).toBe(1);
  });
});
