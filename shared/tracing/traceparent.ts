import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace, type SpanContext } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace-node';

/*
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) carried as the CloudEvents distributed-tracing extension:
 * `traceparent` and `tracestate` are read and written by OpenTelemetry's W3C propagator, with the event's extension
 * attributes as its carrier. A value that does not parse is ignored (the receiver starts a new trace), as the spec
 * asks of a vendor that cannot read it.
 */

const propagator = new W3CTraceContextPropagator();
const ids = new RandomIdGenerator();

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
  const carrier: Record<string, string> = { traceparent };
  if (typeof tracestate === 'string') carrier.tracestate = tracestate;
  return trace.getSpanContext(propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter));
}

/**
 * The CloudEvents extension attributes of a span context: `traceparent`, and `tracestate` when there is one.
 *
 * @example
 * traceExtensions(span.spanContext()); // → { traceparent: '00-…-…-01', tracestate: 'vendor=abc' }
 */
export function traceExtensions(ctx: SpanContext): { traceparent: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpanContext(ROOT_CONTEXT, ctx), carrier, defaultTextMapSetter);
  return { traceparent: carrier.traceparent!, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) };
}

/**
 * Writes a span context as a version-00 `traceparent`.
 *
 * @example
 * formatTraceparent({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
 * // → '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
 */
export const formatTraceparent = (ctx: SpanContext): string => traceExtensions(ctx).traceparent;

/**
 * A fresh, valid 16-byte trace id (32 hex digits).
 *
 * @example
 * const traceparent = `00-${newTraceId()}-${newSpanId()}-01`; // the root of a new trace
 */
export const newTraceId = (): string => ids.generateTraceId();
/**
 * A fresh, valid 8-byte span id (16 hex digits).
 *
 * @example
 * newSpanId(); // → '00f067aa0ba902b7'
 */
export const newSpanId = (): string => ids.generateSpanId();
