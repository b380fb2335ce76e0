import http from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsStreaming } from '@anthropic-ai/sdk/resources/messages';
import { benchChatCache } from './chat-cache.js';
import { startChatStack } from './chat-stack.js';
import { keepAlive } from './http.js';
import { measurement, quantile, type Measurement } from './measure.js';

/*
 * Time to first token through the chat (POST /chat → the first `token` event on its SSE stream), against the same
 * request sent straight to the same Claude stand-in with the real SDK (`messages.stream()` → first text delta).
 * Pacing 0, the demo MCP server's tools offered, a new session every time so every request is the same. The
 * baseline replays the exact body the chat sent, so both ask the stand-in the same thing; runs alternate.
 */

const RUNS = 100;
const WARMUP = 5;
const MESSAGE = 'Hello there, how are you today?';

/** POST /chat; resolves with the time to the first `token` event, after reading the stream to its end. */
function chatFirstToken(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ message: MESSAGE });
    const t0 = performance.now();
    let first: number | undefined;
    const req = http.request(
      `${url}/chat`,
      {
        method: 'POST',
        agent: keepAlive,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
      },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`POST /chat answered ${res.statusCode}`));
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk: string) => {
          if (first !== undefined) return;
          text += chunk;
          if (text.includes('\nevent: token\n')) first = performance.now() - t0;
        });
        res.on('end', () =>
          first === undefined ? reject(new Error(`no token event in: ${text.slice(0, 500)}`)) : resolve(first)
        );
      }
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The same request straight to the stand-in with the SDK; resolves with the time to the first text delta. */
async function sdkFirstToken(client: Anthropic, params: MessageCreateParamsStreaming): Promise<number> {
  const t0 = performance.now();
  let first: number | undefined;
  const stream = client.messages.stream(params);
  stream.on('text', () => void (first ??= performance.now() - t0));
  await stream.finalMessage();
  if (first === undefined) throw new Error('the stand-in streamed no text');
  return first;
}

export async function benchChat(): Promise<Measurement[]> {
  const { chat, standin, stop } = await startChatStack();
  try {
    await chatFirstToken(chat.url);
    const sent = standin.requests().at(-1)!.body as MessageCreateParamsStreaming;
    const params: MessageCreateParamsStreaming = { ...sent, stream: true };
    const client = new Anthropic({ apiKey: 'bench', baseURL: standin.url, maxRetries: 0 });

    const viaChat: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const pair = i % 2 === 0 ? [0, 1] : [1, 0];
      for (const which of pair) {
        const ms = which === 0 ? await chatFirstToken(chat.url) : await sdkFirstToken(client, params);
        if (i >= WARMUP) (which === 0 ? viaChat : direct).push(ms);
      }
      if ((i + 1) % 20 === 0) console.log(`  chat: ${i + 1}/${WARMUP + RUNS} runs`);
    }
    const tools = Array.isArray(params.tools) ? params.tools.length : 0;
    const note = `${RUNS} runs each, stand-in pacing 0, ${tools} MCP tools offered; baseline: the same request with the SDK straight to the stand-in`;
    return [
      measurement(
        'chat.first_token_p50',
        quantile(viaChat, 0.5),
        'ms',
        quantile(direct, 0.5),
        `POST /chat → first token event; ${note}`
      ),
      measurement(
        'chat.first_token_p99',
        quantile(viaChat, 0.99),
        'ms',
        quantile(direct, 0.99),
        'baseline: SDK messages.stream() → first text delta'
      ),
      measurement('chat.added_p50', quantile(viaChat, 0.5) - quantile(direct, 0.5), 'ms', null, 'chat p50 minus SDK p50'),
      ...(await benchChatCache())
    ];
  } finally {
    await stop();
  }
}
