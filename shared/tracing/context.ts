import { context, trace, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/*
 * The OpenTelemetry API's default context manager is a no-op, so `context.active()` would always be the root and a
 * span started for a request would be invisible to the code it calls. OpenTelemetry's AsyncLocalStorage manager keeps
 * it across awaits: a span made active around a delivery or an HTTP request is what its log lines and the events it
 * publishes see. It is process-wide by nature and shared by every function served in the process.
 */

let installed = false;

/**
 * Registers the AsyncLocalStorage context manager with the OpenTelemetry API, once per process. Returns false when
 * another manager was registered first (an OpenTelemetry SDK set up by the embedding process): that one is used.
 *
 * @example
 * installContextManager();
 * context.with(trace.setSpan(context.active(), span), () => handle());
 */
export function installContextManager(): boolean {
  if (installed) return true;
  installed = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return installed;
}

/**
 * The span context active right now (inside a delivery or a traced HTTP request), if any.
 *
 * @example
 * const active = activeSpanContext(); // { traceId, spanId, traceFlags } while a request is handled
 */
export function activeSpanContext(): SpanContext | undefined {
  const span = trace.getSpan(context.active());
  const ctx = span?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? ctx : undefined;
}
