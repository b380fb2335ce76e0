/*
 * The wait before a retry, computed exactly as @anthropic-ai/sdk 1.14.0 does (`retryRequest`), so the delay we show
 * the user is the delay we sleep. The SDK's retries are switched off (maxRetries 0) and the chat runs this policy itself:
 * the SDK has no retry hook and draws its jitter internally, so from outside one could only guess the wait, and
 * it honours any retry-after (an hour, verbatim). See the chat's README for the reasoning.
 */

/** 2^31 - 1: the longest wait one timer can represent; the SDK ignores larger values. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const INITIAL_DELAY_S = 0.5;
const MAX_DELAY_S = 8;
const JITTER = 0.25;

/** The SDK's default backoff for retry number `retryIndex` (0 for the first retry): 0.5, 1, 2, 4, 8 s less 0-25 % jitter. */
export function defaultBackoffMs(retryIndex: number, random: number): number {
  const seconds = Math.min(INITIAL_DELAY_S * Math.pow(2, retryIndex), MAX_DELAY_S);
  return seconds * (1 - random * JITTER) * 1000;
}

/**
 * The wait the server asked for: `retry-after-ms` (float ms) first, then `retry-after` (float seconds or an HTTP
 * date); undefined when neither gives a usable positive value.
 */
export function requestedDelayMs(headers: Headers | undefined, nowMs: number): number | undefined {
  let ms: number | undefined;
  const afterMs = headers?.get('retry-after-ms');
  if (afterMs) {
    const v = parseFloat(afterMs);
    if (!Number.isNaN(v)) ms = v;
  }
  const after = headers?.get('retry-after');
  // `!ms` as in the SDK: a retry-after-ms of 0 falls through to retry-after.
  if (after && !ms) {
    const s = parseFloat(after);
    ms = Number.isNaN(s) ? Date.parse(after) - nowMs : s * 1000;
  }
  return ms !== undefined && ms > 0 && ms <= MAX_TIMER_MS ? ms : undefined;
}

/** The delay before retry number `retryIndex` (0-based): the server's request if usable, else the default backoff. */
export function retryDelayMs(headers: Headers | undefined, retryIndex: number, nowMs: number, random: number): number {
  return requestedDelayMs(headers, nowMs) ?? defaultBackoffMs(retryIndex, random);
}

export type RetryPlan = { retry: true; delayMs: number } | { retry: false; requestedWaitMs?: number };

/**
 * Whether to retry after failed attempt number `attempt` (0-based) and how long to wait first. Retries stop when the
 * failure is not retryable, the retries are used up, or the wait would push the total past `capMs` (then
 * `requestedWaitMs` says what the server asked for: waiting an hour for a chat answer helps no one).
 *
 * @example
 * planRetry({ retryable: true, headers }, 0, 0, { maxRetries: 2, capMs: 20_000 }, Date.now(), Math.random());
 */
export function planRetry(
  failure: { retryable: boolean; headers?: Headers | undefined },
  attempt: number,
  waitedMs: number,
  limits: { maxRetries: number; capMs: number },
  nowMs: number,
  random: number
): RetryPlan {
  if (!failure.retryable || attempt >= limits.maxRetries) return { retry: false };
  const delayMs = Math.round(retryDelayMs(failure.headers, attempt, nowMs, random));
  if (waitedMs + delayMs > limits.capMs) return { retry: false, requestedWaitMs: delayMs };
  return { retry: true, delayMs };
}
