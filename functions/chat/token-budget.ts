import type { ContentBlockParam, MessageParam, ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages';
import { splitTurns } from './history.js';

/*
 * History within a token budget. A session's history grows with every turn, and a tool result can be large; past
 * the model's context window every message fails. Before each call the conversation is fitted: a cheap, conservative
 * local estimate first; only when it comes near the budget is the exact count asked of the API (`count_tokens`),
 * and the conversation is cut step by step, mildest first: long tool results of earlier turns are shortened, then
 * the oldest turns are dropped, and last the current turn's own tool results are shortened. A turn is never split,
 * so a tool_use always keeps its tool_result.
 */

/** Characters per token of the local estimate: low on purpose (English prose runs at about four). */
const CHARS_PER_TOKEN = 3;
/** Below this share of the budget the estimate alone decides: no count_tokens call. */
const ESTIMATE_ONLY = 0.5;

export function estimateTokens(value: unknown): number {
  return Math.ceil((typeof value === 'string' ? value.length : JSON.stringify(value ?? '').length) / CHARS_PER_TOKEN);
}

/** Text cut to `max` characters, its head and tail kept, with a note of what was cut. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.7);
  const tail = Math.max(0, max - head);
  const cut = text.length - head - tail;
  return `${text.slice(0, head)}\n…[${cut} characters cut to fit the context window]…\n${tail ? text.slice(-tail) : ''}`;
}

function shortenResult(block: ToolResultBlockParam, max: number): ToolResultBlockParam {
  if (typeof block.content === 'string') return { ...block, content: shorten(block.content, max) };
  if (!block.content) return block;
  const content = block.content.map((c) =>
    c.type === 'text'
      ? { ...c, text: shorten(c.text, max) }
      : { type: 'text' as const, text: `[${c.type} dropped to fit the context window]` }
  );
  return { ...block, content };
}

/** The messages with every tool result longer than `max` characters shortened (images and documents dropped). */
export function shortenToolResults(messages: readonly MessageParam[], max: number): MessageParam[] {
  return messages.map((m) =>
    typeof m.content === 'string' || !m.content.some((b) => b.type === 'tool_result')
      ? m
      : ({
          ...m,
          content: m.content.map((b: ContentBlockParam) => (b.type === 'tool_result' ? shortenResult(b, max) : b))
        } as MessageParam)
  );
}

/**
 * Ever shorter versions of a conversation whose last turn is the one being answered: earlier turns' tool results
 * shortened (oldest first), then the oldest turns dropped one by one, then the last turn's tool results shortened.
 */
export function* trimSteps(messages: readonly MessageParam[], toolResultChars: number): Generator<MessageParam[]> {
  const turns = splitTurns(messages);
  const current = turns.pop() ?? [];
  for (let i = 0; i < turns.length; i++) {
    turns[i] = shortenToolResults(turns[i]!, toolResultChars);
    yield [...turns.flat(), ...current];
  }
  while (turns.length > 0) {
    turns.shift();
    yield [...turns.flat(), ...current];
  }
  for (const max of [toolResultChars, Math.floor(toolResultChars / 4), 200]) yield shortenToolResults(current, max);
}

export interface FitOptions {
  /** Tokens the conversation may take: the context window less the answer's max_tokens and the tools and system. */
  budget: number;
  toolResultChars: number;
  /** The exact input tokens of the request with these messages (the API's count_tokens). */
  count(messages: MessageParam[]): Promise<number>;
  /** Estimated tokens of what is sent besides the messages (tools, system prompt). */
  fixed?: number;
  /** Exact tokens per estimated token, learned from earlier counts; 1 until known. */
  ratio?: number;
}

export interface Fitted {
  messages: MessageParam[];
  /** The tokens the messages take (exact when counted, else the scaled estimate). */
  tokens: number;
  trimmed: boolean;
}

/**
 * The longest version of `messages` that fits the budget. When even the shortest does not, the shortest is
 * returned (with its count), and the API's answer decides.
 *
 * @example
 * const fitted = await fitToBudget(messages, { budget: 150_000, toolResultChars: 4000, count });
 */
export async function fitToBudget(messages: MessageParam[], opts: FitOptions): Promise<Fitted> {
  let ratio = opts.ratio ?? 1;
  const fixed = opts.fixed ?? 0;
  const scaled = (m: MessageParam[]): number => Math.ceil((estimateTokens(m) + fixed) * ratio);
  if (scaled(messages) <= opts.budget * ESTIMATE_ONLY) return { messages, tokens: scaled(messages), trimmed: false };
  const exact = async (m: MessageParam[]): Promise<number> => {
    const n = await opts.count(m);
    ratio = Math.max(ratio, n / Math.max(1, estimateTokens(m) + fixed));
    return n;
  };
  let tokens = await exact(messages);
  if (tokens <= opts.budget) return { messages, tokens, trimmed: false };
  let last = { messages, tokens, trimmed: true };
  for (const candidate of trimSteps(messages, opts.toolResultChars)) {
    if (scaled(candidate) > opts.budget) {
      last = { messages: candidate, tokens: scaled(candidate), trimmed: true };
      continue;
    }
    tokens = await exact(candidate);
    last = { messages: candidate, tokens, trimmed: true };
    if (tokens <= opts.budget) return last;
  }
  return last;
}
