import { AsyncLocalStorage } from 'node:async_hooks';
import { context, ROOT_CONTEXT, trace, type Context, type ContextManager, type SpanContext } from '@opentelemetry/api';

/*
 * The OpenTelemetry API's default context manager is a no-op, so `context.active()` would always be the root and a
 * span started for a request would be invisible to the code it calls. This one keeps the active context in an
 * AsyncLocalStorage: a span made active around a delivery or an HTTP request is what its log lines and the events it
 * publishes see, across awaits. It is process-wide by nature and shared by every function served in the process.
 */

class AsyncLocalContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(ctx, () => fn.apply(thisArg, args));
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (...args: unknown[]): unknown => this.with(ctx, () => (target as (...a: unknown[]) => unknown)(...args));
    return run as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.#storage.disable();
    return this;
  }
}

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
  installed = context.setGlobalContextManager(new AsyncLocalContextManager());
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
