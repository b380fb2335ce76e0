import type { ContentBlock, Message, MessageParam } from '@anthropic-ai/sdk/resources/messages';
import type { Logger } from '../../shared/runtime/logging.js';
import type { Llm, LlmDelay, LlmRequest, LlmResult } from './llm.js';
import { estimateTokens, fitToBudget } from './token-budget.js';

/*
 * One Claude call of the tool loop, made safe against what the real API does at its limits:
 * - the conversation is fitted to the context window first (token-budget.ts);
 * - a tool_use cut by max_tokens is never kept: the call is made again with max_tokens doubled (up to the
 *   ceiling), as the API advises. The user already saw the text before the tool call, so the repeated text is not
 *   streamed twice;
 * - a 400 "prompt is too long" (our estimate was off) and a tool_use cut by the end of the context window
 *   (model_context_window_exceeded) shrink the budget and call again;
 * - if nothing helps, the cut tool_use is dropped and the answer says it was cut; a text answer cut by either limit
 *   keeps its text and says so too.
 */

export interface CallLimits {
  /** The model's context window, in tokens. */
  contextTokens: number;
  maxTokens: number;
  maxTokensCeiling: number;
  toolResultChars: number;
}

export interface CallDeps {
  llm: Llm;
  limits: CallLimits;
  onText(delta: string): void;
  onDelay(delay: LlmDelay): void;
  log: Logger;
  signal: AbortSignal;
}

export type CallResult =
  | {
      ok: true;
      message: Message;
      /** The conversation as sent (trimmed when it had to be). */
      messages: MessageParam[];
      /** Set when the answer was cut and could not be completed. */
      truncated?: 'max_tokens' | 'context_window';
    }
  | Extract<LlmResult, { ok: false }>;

/** Room kept free besides max_tokens: the estimate is not Claude's tokenizer. */
const MARGIN = 0.02;
/** Budget retries after "prompt is too long" or a tool call cut by the context window. */
const MAX_SHRINKS = 3;

const TOO_LONG = /prompt is too long: (\d+) tokens > (\d+) maximum/;

/** Text answers cut by a limit keep their text; the user is told they were cut. */
const CUT: Record<string, 'max_tokens' | 'context_window'> = {
  max_tokens: 'max_tokens',
  model_context_window_exceeded: 'context_window'
};

/** A tool_use that max_tokens or the context window cut: its input is incomplete, and it must not be sent back. */
export function cutToolUse(message: Message): boolean {
  const cut = message.stop_reason === 'max_tokens' || message.stop_reason === 'model_context_window_exceeded';
  return cut && message.content.at(-1)?.type === 'tool_use';
}

/**
 * A text filter for repeated attempts: what the user was already shown is not streamed again. Each attempt
 * starts at position 0 and only the characters beyond the longest text shown so far go out.
 */
export function replayFilter(emit: (delta: string) => void): { next(): void; onText(delta: string): void } {
  let shown = 0;
  let pos = 0;
  return {
    next: () => void (pos = 0),
    onText(delta) {
      const fresh = delta.slice(Math.max(0, shown - pos));
      pos += delta.length;
      shown = Math.max(shown, pos);
      if (fresh) emit(fresh);
    }
  };
}

/** The call for `request`, with the conversation fitted and cut tool calls completed or dropped. */
export async function callClaude(request: LlmRequest, deps: CallDeps): Promise<CallResult> {
  const { llm, limits, log, signal } = deps;
  const fixed = estimateTokens(request.system) + estimateTokens(request.tools);
  const count = async (messages: MessageParam[]): Promise<number> => {
    try {
      return await llm.countTokens({ ...request, messages }, signal);
    } catch (err) {
      // Counting is an optimisation: without it, the estimate with a wide margin decides.
      log.warn({ err }, 'count_tokens failed; estimating');
      return Math.ceil((estimateTokens(messages) + fixed) * 1.5);
    }
  };
  let budget = Math.floor(limits.contextTokens * (1 - MARGIN)) - limits.maxTokens;
  let maxTokens = limits.maxTokens;
  let shrinks = 0;
  const text = replayFilter(deps.onText);
  let fitted = await fitToBudget(request.messages, { budget, toolResultChars: limits.toolResultChars, count, fixed });
  /** Sends less next time: `factor` of what was just sent (never more than the budget allowed). */
  const shrink = async (factor: number): Promise<void> => {
    shrinks += 1;
    budget = Math.min(budget, Math.floor(fitted.tokens * factor));
    fitted = await fitToBudget(fitted.messages, { budget, toolResultChars: limits.toolResultChars, count, fixed });
  };
  if (fitted.trimmed) log.info({ tokens: fitted.tokens, budget }, 'conversation trimmed to fit the context window');
  for (;;) {
    text.next();
    const res = await llm.complete(
      { ...request, messages: fitted.messages, maxTokens },
      { onText: text.onText, onDelay: deps.onDelay },
      signal
    );
    if (!res.ok) {
      const tooLong = TOO_LONG.exec(res.failure.apiMessage ?? '');
      if (!tooLong || shrinks >= MAX_SHRINKS) return res;
      log.warn({ detail: res.failure.apiMessage }, 'prompt too long for the model; trimming more');
      await shrink((Number(tooLong[2]) / Number(tooLong[1])) * 0.9);
      continue;
    }
    const message = res.message;
    if (!cutToolUse(message)) {
      const cut = CUT[message.stop_reason ?? ''];
      return { ok: true, message, messages: fitted.messages, ...(cut ? { truncated: cut } : {}) };
    }
    if (message.stop_reason === 'max_tokens' && maxTokens < limits.maxTokensCeiling) {
      maxTokens = Math.min(limits.maxTokensCeiling, maxTokens * 2);
      log.info({ maxTokens }, 'a tool call was cut by max_tokens; asking again with more room');
      continue;
    }
    if (message.stop_reason === 'model_context_window_exceeded' && shrinks < MAX_SHRINKS) {
      log.info({ budget }, 'a tool call was cut by the context window; trimming the conversation');
      await shrink(0.75);
      continue;
    }
    const content: ContentBlock[] = message.content.slice(0, -1);
    const truncated = message.stop_reason === 'max_tokens' ? 'max_tokens' : 'context_window';
    log.warn({ truncated, maxTokens }, 'a tool call stayed cut; answering without it');
    return { ok: true, message: { ...message, content }, messages: fitted.messages, truncated };
  }
}
