import Anthropic from '@anthropic-ai/sdk';
import type { Message, MessageParam, Tool, ToolChoice, Usage } from '@anthropic-ai/sdk/resources/messages';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../shared/runtime/config.js';
import type { Logger } from '../../shared/runtime/logging.js';
import { classifyLlmError, StreamIdleError, type LlmFailure } from './llm-failures.js';
import { withCacheBreakpoints } from './prompt-cache.js';
import { planRetry } from './retry-delay.js';

/*
 * Claude through @anthropic-ai/sdk `messages.stream()`, with the SDK's retry policy run here (the SDK's own retries
 * are off: see retry-delay.ts). What this adds to the SDK: every retry is announced before its wait (the chat shows
 * it and publishes chat.delayed), the total wait of one call is bounded by `retryCapMs`, a stream that goes silent
 * after its headers is ended after `idleTimeoutMs` (the SDK's timeout covers only the headers), an overload inside
 * a stream is retried while no token has reached the user, and the stable prefix carries cache breakpoints.
 */

export interface LlmRequest {
  system: string;
  messages: MessageParam[];
  tools: Tool[];
  toolChoice?: ToolChoice;
  /** Overrides the configured max_tokens (raised to finish a tool call that max_tokens cut). */
  maxTokens?: number;
}

export interface LlmDelay {
  /** 1 for the first retry. */
  attempt: number;
  retryInMs: number;
  failure: LlmFailure;
}

export interface LlmHooks {
  onText(delta: string): void;
  onDelay(delay: LlmDelay): void;
}

export type LlmResult =
  | { ok: true; message: Message }
  /** `requestedWaitMs`: the server asked for a wait longer than our cap, so we stopped. */
  | { ok: false; failure: LlmFailure; attempts: number; requestedWaitMs?: number | undefined };

export interface Llm {
  complete(request: LlmRequest, hooks: LlmHooks, signal: AbortSignal): Promise<LlmResult>;
  /** The request's exact input tokens (`POST /v1/messages/count_tokens`); throws what the SDK throws. */
  countTokens(request: Omit<LlmRequest, 'maxTokens'>, signal: AbortSignal): Promise<number>;
}

export interface LlmDeps {
  config: Config['llm'];
  fetch: typeof globalThis.fetch;
  log: Logger;
  now: () => number;
  random?: () => number;
  /** Every answered call's usage (for the metrics). */
  onUsage?: (usage: Usage) => void;
}

/** In keyless local mode the SDK still needs some key to send a request; the stand-in accepts any. */
const PLACEHOLDER_KEY = 'local-stand-in';

/**
 * @example
 * const llm = createLlm({ config: config.llm, fetch, log, now: () => clock.now().getTime() });
 * const result = await llm.complete({ system, messages, tools }, { onText, onDelay }, signal);
 */
export function createLlm(deps: LlmDeps): Llm {
  const { config, log } = deps;
  const random = deps.random ?? Math.random;
  const apiKey = config.apiKey ?? (config.baseUrl ? PLACEHOLDER_KEY : undefined);
  const client = new Anthropic({
    apiKey,
    baseURL: config.baseUrl ?? null,
    maxRetries: 0,
    timeout: config.timeoutMs,
    fetch: deps.fetch
  });

  /** The prompt as sent: tools only when there are any, cache breakpoints when caching is on. */
  const prompt = (request: Omit<LlmRequest, 'maxTokens'>) => {
    const body = {
      model: config.model,
      system: request.system,
      messages: request.messages,
      ...(request.tools.length > 0 ? { tools: request.tools, tool_choice: request.toolChoice ?? { type: 'auto' } } : {})
    };
    return config.promptCache ? withCacheBreakpoints(body) : body;
  };

  /**
   * One attempt; throws what the SDK throws, or StreamIdleError. `connected` turns true once headers arrived,
   * `shown` once a token went to the user.
   */
  async function attempt(
    request: LlmRequest,
    hooks: LlmHooks,
    n: number,
    signal: AbortSignal,
    state: { connected: boolean; shown: boolean }
  ): Promise<Message> {
    let idle = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        idle = true;
        stream.abort();
      }, config.idleTimeoutMs);
    };
    // Silence is measured on the bytes of the body, so the API's `ping` frames (which the SDK drops) keep a slow
    // answer alive, while a stream that sends nothing at all is ended.
    const watched: typeof fetch = async (input, init) => {
      const res = await deps.fetch(input, init);
      if (!res.ok || !res.body) return res;
      const body = res.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, out) {
            arm();
            out.enqueue(chunk);
          }
        })
      );
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    };
    const stream = client.withOptions({ fetch: watched }).messages.stream(
      { ...prompt(request), max_tokens: request.maxTokens ?? config.maxTokens },
      // Our retries count on the wire as the SDK's would, so servers (and the stand-in) see the attempt number.
      { maxRetries: 0, signal, headers: { 'x-stainless-retry-count': String(n) } }
    );
    stream.on('connect', () => {
      state.connected = true;
      arm();
    });
    stream.on('text', (delta) => {
      state.shown ||= delta.length > 0;
      hooks.onText(delta);
    });
    stream.on('error', () => undefined); // handled through finalMessage()
    try {
      const message = await stream.finalMessage();
      deps.onUsage?.(message.usage);
      return message;
    } catch (err) {
      if (idle) throw new StreamIdleError(config.idleTimeoutMs);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async countTokens(request, signal) {
      const counted = await client.messages.countTokens(prompt(request), { signal, maxRetries: 2 });
      return counted.input_tokens;
    },

    async complete(request, hooks, signal) {
      let waited = 0;
      for (let n = 0; ; n++) {
        const state = { connected: false, shown: false };
        try {
          return { ok: true, message: await attempt(request, hooks, n, signal, state) };
        } catch (err) {
          const failure = classifyLlmError(err);
          const attempts = n + 1;
          if (signal.aborted) return { ok: false, failure: { ...failure, aborted: true }, attempts };
          log.warn({ err, attempt: attempts, detail: failure.detail, connected: state.connected }, 'Claude API call failed');
          // A stream that had started is not retried (as in the SDK) once tokens may have reached the user; an
          // overload inside the stream before the first token is what a 529 would have been, and is retried.
          const retryable = failure.retryable && (!state.connected || (failure.midStream === true && !state.shown));
          const plan = planRetry(
            { ...failure, retryable },
            n,
            waited,
            { maxRetries: config.maxRetries, capMs: config.retryCapMs },
            deps.now(),
            random()
          );
          if (!plan.retry) return { ok: false, failure, attempts, requestedWaitMs: plan.requestedWaitMs };
          const delay = plan.delayMs;
          hooks.onDelay({ attempt: attempts, retryInMs: delay, failure });
          try {
            await sleep(delay, undefined, { signal });
          } catch {
            return { ok: false, failure: { ...failure, aborted: true }, attempts };
          }
          waited += delay;
        }
      }
    }
  };
}
