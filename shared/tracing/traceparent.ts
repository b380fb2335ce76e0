import { randomBytes } from 'node:crypto';
import { createTraceState, isSpanContextValid, TraceFlags, type SpanContext } from '@opentelemetry/api';

/*
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) carried as the CloudEvents distributed-tracing extension:
 * `traceparent` = `<version>-<trace-id>-<parent-id>-<flags>`, `tracestate` passed through untouched. A value that does
 * not parse is ignored (the receiver starts a new trace), as the spec asks of a vendor that cannot read it.
 */

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * Reads a `traceparent` (and optional `tracestate`) into a remote span context, or undefined when it is missing or
 * invalid (version ff, all-zero ids, a version-00 value with extra fields, upper-case hex).
 *
 * @example
 * parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
 * // → { traceId: '4bf9…4736', spanId: '00f0…02b7', traceFlags: 1, isRemote: true }
 */
export function parseTraceparent(traceparent: unknown, tracestate?: unknown): SpanContext | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const m = TRACEPARENT.exec(traceparent.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const ctx: SpanContext = { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
  if (typeof tracestate === 'string' && tracestate.trim() !== '') ctx.traceState = createTraceState(tracestate);
  return isSpanContextValid(ctx) ? ctx : undefined;
}

/**
 * Writes a span context as a version-00 `traceparent`.
 *
 * @example
 * formatTraceparent({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
 * // → '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
 */
export function formatTraceparent(ctx: SpanContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${(ctx.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0')}`;
}

/**
 * The CloudEvents extension attributes of a span context: `traceparent`, and `tracestate` when there is one.
 *
 * @example
 * traceExtensions(span.spanContext()); // → { traceparent: '00-…-…-01', tracestate: 'vendor=abc' }
 */
export function traceExtensions(ctx: SpanContext): { traceparent: string; tracestate?: string } {
  const state = ctx.traceState?.serialize();
  return { traceparent: formatTraceparent(ctx), ...(state ? { tracestate: state } : {}) };
}

function randomHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (!/^0+$/.test(hex)) return hex; // all zeros is the invalid id
  }
}

/**
 * A fresh, valid 16-byte trace id (32 hex digits).
 *
 * @example
 * const traceparent = `00-${newTraceId()}-${newSpanId()}-01`; // the root of a new trace
 */
export const newTraceId = (): string => randomHex(16);
/**
 * A fresh, valid 8-byte span id (16 hex digits).
 *
 * @example
 * newSpanId(); // → '00f067aa0ba902b7'
 */
export const newSpanId = (): string => randomHex(8);
