import { readSse } from '../shared/sse/reader.js';
import { startChatStack } from './chat-stack.js';
import { measurement, type Measurement } from './measure.js';

/*
 * Input tokens per chat message with prompt caching and without, from the Claude stand-in's usage figures (its
 * cache follows the API's rules: tools → system → messages, 1024-token minimum, 20-block lookback). One session of
 * MESSAGES messages, half of them calling a demo MCP tool (two Claude calls each), run once with
 * CORTEX_CHAT_PROMPT_CACHE=true and once with false. "Billed" input weighs cache writes 1.25 and cache reads 0.1,
 * as the API prices them; the baseline is the same session without caching.
 */

const MESSAGES = 12;
const SCRIPT = [
  'Please use the search_docs tool: how does healing work?',
  'Thanks. Say that again in one sentence.',
  'Please use the get_service_status tool.',
  'And is that good?'
];

interface Totals {
  messages: number;
  input: number;
  cacheRead: number;
  cacheCreation: number;
}

async function post(url: string, body: unknown): Promise<{ sessionId: string; token: string }> {
  const res = await fetch(`${url}/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  });
  let session = { sessionId: '', token: '' };
  let ended = '';
  for await (const frame of readSse(res.body!)) {
    if (frame.event === 'session') session = JSON.parse(frame.data) as typeof session;
    if (frame.event === 'done' || frame.event === 'error') ended = frame.event;
  }
  if (ended !== 'done') throw new Error(`a bench message ended with ${ended || 'nothing'}`);
  return session;
}

async function session(promptCache: boolean): Promise<Totals> {
  const { chat, standin, stop } = await startChatStack({ CORTEX_CHAT_PROMPT_CACHE: String(promptCache) });
  try {
    let ids = await post(chat.url, { message: SCRIPT[0] });
    for (let i = 1; i < MESSAGES; i++) ids = await post(chat.url, { message: SCRIPT[i % SCRIPT.length], ...ids });
    const totals: Totals = { messages: MESSAGES, input: 0, cacheRead: 0, cacheCreation: 0 };
    for (const r of standin.requests()) {
      totals.input += r.usage?.inputTokens ?? 0;
      totals.cacheRead += r.usage?.cacheReadTokens ?? 0;
      totals.cacheCreation += r.usage?.cacheCreationTokens ?? 0;
    }
    return totals;
  } finally {
    await stop();
  }
}

export async function benchChatCache(): Promise<Measurement[]> {
  const cached = await session(true);
  const plain = await session(false);
  const per = (n: number): number => n / MESSAGES;
  const billed = (t: Totals): number => t.input + 1.25 * t.cacheCreation + 0.1 * t.cacheRead;
  const note = `one session of ${MESSAGES} messages (half with a tool call), demo MCP tools, stand-in usage; baseline: the same session with CORTEX_CHAT_PROMPT_CACHE=false`;
  return [
    measurement('chat.input_tokens_per_message', per(cached.input), 'tokens', per(plain.input), `uncached input; ${note}`),
    measurement(
      'chat.billed_input_per_message',
      per(billed(cached)),
      'tokens',
      per(billed(plain)),
      'input-token equivalents: input + 1.25 x cache writes + 0.1 x cache reads'
    ),
    measurement('chat.cache_read_per_message', per(cached.cacheRead), 'tokens', null, 'prefix read from the prompt cache'),
    measurement('chat.cache_write_per_message', per(cached.cacheCreation), 'tokens', null, 'written to the prompt cache')
  ];
}
