import type { IncomingHttpHeaders } from 'node:http';
import type { FaultKind } from './faults.js';

/** One request received on POST /v1/messages, for assertions in tests (`GET /_standin/requests`). */
export interface RecordedRequest {
  /** The `request-id` the stand-in answered with. */
  requestId: string;
  /** ISO time of arrival. */
  at: string;
  method: string;
  path: string;
  /** Lowercased names; `authorization` and `x-api-key` keep only their scheme, never the key. */
  headers: Record<string, string>;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  /** The fault applied to this request, if any. */
  fault?: FaultKind;
  /** The status sent; absent while the response is open and for a reset. */
  status?: number;
  /** True when the client went away before the response was complete (an abort, a timeout, a stalled stream). */
  clientClosed?: boolean;
  /** The input tokens of an answered request, split as usage reports them (prompt caching). */
  usage?: { inputTokens: number; cacheReadTokens: number; cacheCreationTokens: number };
}

/** How many requests the log keeps: enough for any test, bounded for a long-running demo. */
export const REQUEST_LOG_LIMIT = 1000;

const mask = (value: string): string =>
  value.replace(/^(Bearer\s+)?.*$/i, (_m, scheme?: string) => `${scheme ?? ''}[REDACTED]`);

export function recordedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name] = name === 'authorization' || name === 'x-api-key' ? mask(text) : text;
  }
  return out;
}

/** A bounded, in-memory log; entries are updated in place when their response ends. */
export class RequestLog {
  private entries: RecordedRequest[] = [];

  add(entry: RecordedRequest): RecordedRequest {
    this.entries.push(entry);
    if (this.entries.length > REQUEST_LOG_LIMIT) this.entries.splice(0, this.entries.length - REQUEST_LOG_LIMIT);
    return entry;
  }

  /** Copies, oldest first. */
  list(): RecordedRequest[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): number {
    const n = this.entries.length;
    this.entries = [];
    return n;
  }
}
