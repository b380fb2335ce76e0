import {
  AnthropicError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError
} from '@anthropic-ai/sdk';
import type { ErrorCategory } from '../../shared/events/schemas.js';

/*
 * What a failed Claude API call means: which error.reported category, whether the SDK's retry policy would retry it,
 * and a short technical detail. The retry rule is the SDK's own (1.14.0 `shouldRetry`): `x-should-retry` wins, then
 * 408, 409, 429 and >= 500 are retried, and so are connection errors and header timeouts. Errors in the middle of a
 * stream (an `event: error` frame, a socket cut, our idle timeout) are never retried, as in the SDK.
 */

export type LlmCategory = Extract<ErrorCategory, `llm_${string}`>;

export interface LlmFailure {
  /** undefined for failures that are ours, not the API's (a rejected request, a bad key, the user went away). */
  readonly category: LlmCategory | undefined;
  readonly retryable: boolean;
  readonly httpStatus?: number;
  /** The API's `error.type` (overloaded_error, rate_limit_error, …) when it sent one. */
  readonly errorType?: string;
  /** The API's `error.message` ("prompt is too long: 210000 tokens > 200000 maximum"). */
  readonly apiMessage?: string;
  /** Response headers of a failed attempt, for retry-after. */
  readonly headers?: Headers;
  /** e.g. `HTTP 529 overloaded_error`, `connection error (ECONNRESET)`. */
  readonly detail: string;
  /** The caller aborted (the browser went away): nothing to report. */
  readonly aborted?: boolean;
  /**
   * An `event: error` in a stream that had started. With `retryable`, it is what a 529 or 500 would have been
   * before the stream: retried as long as no token has reached the user.
   */
  readonly midStream?: boolean;
}

/** In-stream error types that stand for a 529 or a 500: worth retrying while the user has seen nothing. */
const RETRYABLE_IN_STREAM = new Set(['overloaded_error', 'api_error']);

/** Our own end of a stream that went silent after its headers; the SDK's timeout covers only the headers. */
export class StreamIdleError extends Error {
  constructor(readonly idleMs: number) {
    super(`the Claude API sent nothing for ${idleMs} ms in the middle of its answer`);
    this.name = 'StreamIdleError';
  }
}

const CATEGORY_OF_TYPE: Record<string, LlmCategory> = {
  rate_limit_error: 'llm_rate_limited',
  overloaded_error: 'llm_overloaded',
  api_error: 'llm_server_error',
  timeout_error: 'llm_timeout'
};

function categoryOfStatus(status: number): LlmCategory | undefined {
  if (status === 429) return 'llm_rate_limited';
  if (status === 529) return 'llm_overloaded';
  if (status === 408 || status === 504) return 'llm_timeout';
  if (status >= 500 || status === 409) return 'llm_server_error';
  return undefined;
}

function causeCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * Classifies an error thrown by `messages.stream()` / `finalMessage()` of @anthropic-ai/sdk 1.14.0.
 *
 * @example
 * classifyLlmError(overloadedError); // { category: 'llm_overloaded', retryable: true, httpStatus: 529, … }
 */
export function classifyLlmError(err: unknown): LlmFailure {
  if (err instanceof StreamIdleError)
    return { category: 'llm_timeout', retryable: false, detail: `stream idle for ${err.idleMs} ms` };
  if (err instanceof APIUserAbortError) return { category: undefined, retryable: false, aborted: true, detail: 'aborted' };
  if (err instanceof APIConnectionTimeoutError)
    return { category: 'llm_timeout', retryable: true, detail: 'no response headers in time' };
  if (err instanceof APIConnectionError) {
    const code = causeCode(err.cause);
    return { category: 'llm_network', retryable: true, detail: `connection error${code ? ` (${code})` : ''}` };
  }
  if (err instanceof APIError) {
    const type = err.type ?? undefined;
    if (typeof err.status === 'number') {
      const status = err.status;
      const header = err.headers?.get('x-should-retry');
      const retryable =
        header === 'true'
          ? true
          : header === 'false'
            ? false
            : status === 408 || status === 409 || status === 429 || status >= 500;
      const apiMessage = typeof err.apiMessage === 'string' ? err.apiMessage : undefined;
      return {
        category: categoryOfStatus(status),
        retryable,
        httpStatus: status,
        ...(type ? { errorType: type } : {}),
        ...(apiMessage ? { apiMessage } : {}),
        ...(err.headers ? { headers: err.headers } : {}),
        detail: `HTTP ${status}${type ? ` ${type}` : ''}`
      };
    }
    // An `event: error` frame in a stream that had started: no status; retried only while nothing reached the user.
    return {
      category: (type && CATEGORY_OF_TYPE[type]) || 'llm_server_error',
      retryable: type !== undefined && RETRYABLE_IN_STREAM.has(type),
      midStream: true,
      ...(type ? { errorType: type } : {}),
      detail: `error in the stream${type ? ` (${type})` : ''}`
    };
  }
  if (err instanceof AnthropicError && err.cause instanceof Error) {
    // e.g. AnthropicError("terminated"): the socket closed in the middle of the stream.
    const code = causeCode(err.cause);
    return { category: 'llm_network', retryable: false, detail: `stream cut: ${err.message}${code ? ` (${code})` : ''}` };
  }
  return { category: undefined, retryable: false, detail: err instanceof Error ? err.message : String(err) };
}

const seconds = (ms: number): string =>
  ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 100) / 10} s`;

/** A clear sentence for the user once we stop trying. */
export function llmUserMessage(f: LlmFailure, attempts: number, requestedWaitMs?: number): string {
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  if (requestedWaitMs !== undefined) {
    return `Claude's API asked us to wait ${seconds(requestedWaitMs)} before trying again (${f.detail}), longer than this chat waits. Please try again later.`;
  }
  switch (f.category) {
    case 'llm_rate_limited':
      return `Claude's API is rate-limiting requests right now${tries}. Please try again in a minute.`;
    case 'llm_overloaded':
      return `Claude is overloaded right now${tries} (${f.detail}). Please try again shortly.`;
    case 'llm_server_error':
      return `Claude's API had a server error${tries} (${f.detail}). Please try again shortly.`;
    case 'llm_network':
      return `Could not reach Claude's API${tries} (${f.detail}). Please try again shortly.`;
    case 'llm_timeout':
      return `Claude's API did not answer in time${tries} (${f.detail}). Please try again.`;
    default:
      return `Claude's API rejected the request (${f.detail}). This is a problem on our side; it has been logged.`;
  }
}

/** The short reason of a delay, for processing_delay and chat.delayed. */
export function delayReason(f: LlmFailure): string {
  switch (f.category) {
    case 'llm_rate_limited':
      return `Claude's API is rate-limiting requests (${f.detail})`;
    case 'llm_overloaded':
      return `Claude is overloaded (${f.detail})`;
    case 'llm_timeout':
      return `Claude's API did not answer in time (${f.detail})`;
    case 'llm_network':
      return `Claude's API could not be reached (${f.detail})`;
    default:
      return `Claude's API had a server error (${f.detail})`;
  }
}
