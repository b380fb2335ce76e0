import type { IncomingHttpHeaders } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { parseTraceparent } from './traceparent.js';

/** A request's server span and the context to run its handler in (events published there carry the span as parent). */
export interface ServerSpan {
  readonly span: Span;
  readonly context: Context;
}

/**
 * Starts the server span of one request to function `fn`: a child of the request's `traceparent` header, or the root
 * of a new trace (the chat starts the trace of a user message here).
 *
 * @example
 * const { span, context } = startServerSpan(tracer, 'sse-relay', 'GET', '/events', req.headers);
 */
export function startServerSpan(
  tracer: Tracer,
  fn: string,
  method: string,
  path: string,
  headers: IncomingHttpHeaders
): ServerSpan {
  const remote = parseTraceparent(headers.traceparent, headers.tracestate);
  const parent = remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
  const span = tracer.startSpan(
    `${method} ${path}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path, 'faas.name': fn } },
    parent
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends a server span with the response's status (an error span for a 5xx). */
export function endServerSpan(span: Span, status: number): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
