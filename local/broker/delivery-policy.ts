import { parseDuration } from './duration.js';
import type { Broker, DeliverySpec, Destination, Trigger } from './resources.js';

/*
 * Delivery semantics, following knative/eventing pkg/kncloudevents (retries.go, event_dispatcher.go) and the
 * acknowledgement table of knative/specs data-plane.md.
 *
 * Backoff: Knative hands go-retryablehttp a function of `attemptNum`, the 0-based index of the attempt that just
 * failed. So the wait before retry n (n = 1..retry) is
 *   exponential: backoffDelay × 2^(n-1)   → PT0.2S gives 0.2 s, 0.4 s, 0.8 s, …
 *   linear:      backoffDelay × (n-1)     → PT0.2S gives 0 s, 0.2 s, 0.4 s, …
 * Knative applies a backoff only when both backoffPolicy and backoffDelay are set; otherwise retries follow at once.
 *
 * Retry-After (alpha in Knative, feature `delivery-retryafter`): on 429 and 503 we wait the larger of the backoff
 * and the Retry-After value, the latter capped by `retryAfterMax` when the spec sets it (PT0S turns it off), else by
 * the broker's cap.
 */

/** Knative's default Broker delivery (config-br-defaults): 10 retries, exponential, PT0.2S, no timeout. */
export const KNATIVE_DEFAULT_DELIVERY: DeliverySpec = Object.freeze({
  retry: 10,
  backoffPolicy: 'exponential',
  backoffDelay: 'PT0.2S'
});

/** A delivery spec with its durations parsed. */
export interface DeliveryPolicy {
  /** Retries after the first attempt: total attempts = retry + 1. */
  retry: number;
  backoffPolicy: 'exponential' | 'linear' | undefined;
  /** 0 unless both backoffPolicy and backoffDelay are set. */
  backoffDelayMs: number;
  /** Per-attempt timeout; undefined = none, as in Knative. */
  timeoutMs: number | undefined;
  /** Cap on honouring Retry-After; undefined = the broker's cap. */
  retryAfterMaxMs: number | undefined;
  format: 'binary' | 'json';
  deadLetterSink: Destination | undefined;
}

/**
 * The delivery spec that applies to a Trigger: its own, else its Broker's, else the default. Knative replaces the
 * spec wholesale at each level; fields are never merged.
 */
export function effectiveDeliverySpec(trigger: Trigger, broker: Broker | undefined, defaults: DeliverySpec): DeliverySpec {
  return trigger.spec.delivery ?? broker?.spec?.delivery ?? defaults;
}

/** Parses a (validated) delivery spec. Throws on a duration the loader would have rejected. */
export function toPolicy(spec: DeliverySpec): DeliveryPolicy {
  const ms = (field: 'backoffDelay' | 'timeout' | 'retryAfterMax'): number | undefined => {
    const text = spec[field];
    if (text === undefined) return undefined;
    const parsed = parseDuration(text);
    if (parsed === undefined) throw new Error(`delivery.${field}: not an ISO-8601 duration: "${text}"`);
    return parsed;
  };
  const delay = ms('backoffDelay');
  return {
    retry: spec.retry ?? 0,
    backoffPolicy: spec.backoffPolicy,
    backoffDelayMs: spec.backoffPolicy !== undefined && delay !== undefined ? delay : 0,
    timeoutMs: ms('timeout'),
    retryAfterMaxMs: ms('retryAfterMax'),
    format: spec.format ?? 'binary',
    deadLetterSink: spec.deadLetterSink
  };
}

/** The backoff after the failed attempt `failedAttempt` (0 = the first attempt), before the next one. */
export function backoffMs(policy: Pick<DeliveryPolicy, 'backoffPolicy' | 'backoffDelayMs'>, failedAttempt: number): number {
  if (policy.backoffPolicy === 'exponential') return policy.backoffDelayMs * 2 ** failedAttempt;
  if (policy.backoffPolicy === 'linear') return policy.backoffDelayMs * failedAttempt;
  return 0;
}

/**
 * Whether a failed attempt is retried. `status` is undefined for a connection error or a timeout (no response).
 * Retried: 404, 408, 409, 429, 5xx and no response. Not retried: 3xx and every other 4xx (400, 401, 403, 413, …).
 * Codes the Knative table leaves out (1xx, ≥ 600) are retried, as the spec says they SHOULD be.
 */
export function isRetryable(status: number | undefined): boolean {
  if (status === undefined) return true;
  if (status >= 500 || status < 200) return true;
  if (status === 404 || status === 408 || status === 409 || status === 429) return true;
  return false;
}

/** Parses a Retry-After header (delay-seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(header: string | undefined, now: number): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The longest wait a Node.js timer can express (~24.8 days); longer ones would fire at once. */
export const MAX_WAIT_MS = 2 ** 31 - 1;

/** How long to wait before the next attempt, after attempt `failedAttempt` failed with `status` (and Retry-After). */
export function retryWaitMs(
  policy: DeliveryPolicy,
  failedAttempt: number,
  failure: { status?: number | undefined; retryAfterMs?: number | undefined },
  brokerRetryAfterCapMs: number
): number {
  const backoff = backoffMs(policy, failedAttempt);
  const honoured =
    failure.retryAfterMs !== undefined && (failure.status === 429 || failure.status === 503)
      ? Math.min(failure.retryAfterMs, policy.retryAfterMaxMs ?? brokerRetryAfterCapMs)
      : 0;
  return Math.min(Math.max(backoff, honoured), MAX_WAIT_MS);
}
