/*
 * Fault injection. Two ways to ask for one: a FIFO queue filled through the control API (one fault per incoming
 * /v1/messages request), or a `[fault:<kind> key=value…]` marker in the last user text of a request.
 */

/** A failure the stand-in can be told to produce instead of (or in the middle of) a normal answer. */
export type Fault =
  /** 429 rate_limit_error with `retry-after` (seconds; default 1) and, when `retryAfterMs` is given, `retry-after-ms`. */
  | { kind: 'rate_limit'; retryAfterS?: number; retryAfterMs?: number }
  /** 529 overloaded_error, no retry-after (the client uses its default backoff). */
  | { kind: 'overloaded' }
  /** 500 api_error. */
  | { kind: 'server_error' }
  /** The socket is destroyed without any response. */
  | { kind: 'reset' }
  /** Headers (and `afterEvents` SSE events of a stream) are sent, then nothing until the client goes away. */
  | { kind: 'stall'; afterEvents?: number }
  /**
   * A stream that sends `afterEvents` events (default 4: up to the first text delta), then `event: error` with
   * `error` (default overloaded_error; api_error is the in-stream 500).
   */
  | { kind: 'stream_error'; afterEvents?: number; error?: StreamErrorType }
  /** The response headers are held back for `ms`, then the request is answered normally. */
  | { kind: 'delay_headers'; ms: number }
  /** A stream that goes quiet for `ms` after `afterEvents` events (default 2), sending `ping` every `pingMs` (default 1000). */
  | { kind: 'pause'; ms: number; afterEvents?: number; pingMs?: number }
  /**
   * The model declines: a little text, then `stop_reason: "refusal"` with `stop_details` of `category` (default cyber).
   * Later requests that still carry the refused user message are refused too, until the context is reset.
   */
  | { kind: 'refusal'; category?: RefusalCategory };

export const STREAM_ERROR_TYPES = ['overloaded_error', 'api_error'] as const;
export type StreamErrorType = (typeof STREAM_ERROR_TYPES)[number];
export const REFUSAL_CATEGORIES = ['cyber', 'bio', 'frontier_llm', 'reasoning_extraction', 'general_harms'] as const;
export type RefusalCategory = (typeof REFUSAL_CATEGORIES)[number];

export type FaultKind = Fault['kind'];

export const FAULT_KINDS: readonly FaultKind[] = [
  'rate_limit',
  'overloaded',
  'server_error',
  'reset',
  'stall',
  'stream_error',
  'delay_headers',
  'pause',
  'refusal'
];

const NUMERIC_OPTIONS: Record<FaultKind, readonly string[]> = {
  rate_limit: ['retryAfterS', 'retryAfterMs'],
  overloaded: [],
  server_error: [],
  reset: [],
  stall: ['afterEvents'],
  stream_error: ['afterEvents'],
  delay_headers: ['ms'],
  pause: ['ms', 'afterEvents', 'pingMs'],
  refusal: []
};

/** Options that take one of a few words. */
const WORD_OPTIONS: Partial<Record<FaultKind, Record<string, readonly string[]>>> = {
  stream_error: { error: STREAM_ERROR_TYPES },
  refusal: { category: REFUSAL_CATEGORIES }
};

/** Checks one fault from the control API; returns a message describing the problem, or the fault. */
export function parseFault(value: unknown): Fault | string {
  if (typeof value !== 'object' || value === null) return 'a fault must be an object with a "kind"';
  const raw = value as Record<string, unknown>;
  const kind = raw.kind as FaultKind;
  if (!FAULT_KINDS.includes(kind)) return `unknown fault kind ${JSON.stringify(raw.kind)}; known: ${FAULT_KINDS.join(', ')}`;
  for (const [key, v] of Object.entries(raw)) {
    if (key === 'kind') continue;
    const words = WORD_OPTIONS[kind]?.[key];
    if (words) {
      if (!words.includes(v as string)) return `fault "${kind}": ${key} must be one of ${words.join(', ')}`;
      continue;
    }
    if (!NUMERIC_OPTIONS[kind].includes(key)) return `fault "${kind}" has no option "${key}"`;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      return `fault "${kind}": ${key} must be a non-negative number`;
  }
  if ((kind === 'delay_headers' || kind === 'pause') && raw.ms === undefined) return `fault "${kind}" needs "ms"`;
  return raw as Fault;
}

/** A fault asked for in the message text, and on how many attempts (by `x-stainless-retry-count`) it applies. */
export interface MarkerFault {
  fault: Fault;
  /** The fault applies while the retry count is below this; `Infinity` for every attempt. Default 1: the first only. */
  attempts: number;
}

const MARKER = /\[fault:([a-z_]+)((?:\s+[A-Za-z]+=[^\s\]]+)*)\s*\]/;
const MARKERS = new RegExp(MARKER.source, 'g');

/**
 * Reads a `[fault:<kind> key=value…]` marker, e.g. `[fault:overloaded]`, `[fault:rate_limit retryAfterS=2]`,
 * `[fault:overloaded attempts=all]`. Returns undefined when there is none or it is malformed.
 */
export function parseFaultMarker(text: string): MarkerFault | undefined {
  const match = MARKER.exec(text);
  if (!match) return undefined;
  const options: Record<string, unknown> = { kind: match[1] };
  let attempts = 1;
  for (const pair of (match[2] ?? '').trim().split(/\s+/).filter(Boolean)) {
    const [key, value] = pair.split('=') as [string, string];
    if (key === 'attempts') attempts = value === 'all' ? Infinity : Number(value);
    else options[key] = /^-?\d/.test(value) ? Number(value) : value;
  }
  const fault = parseFault(options);
  if (typeof fault === 'string' || !(attempts >= 1)) return undefined;
  return { fault, attempts };
}

/** The text without its fault markers, so answers echo the question and not the test plumbing. */
export function stripFaultMarkers(text: string): string {
  return text.replace(MARKERS, ' ').replace(/\s+/g, ' ').trim();
}

/** The FIFO of queued faults: each /v1/messages request takes at most one. */
export class FaultQueue {
  private readonly queue: Fault[] = [];

  push(...faults: Fault[]): void {
    this.queue.push(...faults);
  }

  clear(): void {
    this.queue.length = 0;
  }

  next(): Fault | undefined {
    return this.queue.shift();
  }

  get size(): number {
    return this.queue.length;
  }
}
