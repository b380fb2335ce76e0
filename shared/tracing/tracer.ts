import {
  context as contextApi,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Exception,
  type Link,
  type Span,
  type SpanAttributeValue,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  type Tracer
} from '@opentelemetry/api';
import { newSpanId, newTraceId } from './traceparent.js';

/*
 * A small implementation of the OpenTelemetry API's Tracer. The SDK (@opentelemetry/sdk-trace-base 2.x) declares a
 * peer range of @opentelemetry/api below 1.10 and does not install next to our pinned 1.10.0, so spans are made here:
 * each gets a fresh span id, continues its parent's trace id, flags and tracestate (or starts a sampled trace), and is
 * handed to an exporter when it ends. Without an exporter nothing is recorded; ids are still minted, because they are
 * what the events carry from hop to hop.
 */

/** A span that ended, in the shape an exporter needs. */
export interface FinishedSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Attributes;
  readonly status: SpanStatus;
  readonly events: ReadonlyArray<{ name: string; timeNs: bigint; attributes: Attributes }>;
}

export interface SpanExporter {
  export(span: FinishedSpan): void;
  shutdown(): Promise<void>;
}

const NS_PER_US = 1_000n;

function nowNs(): bigint {
  // Wall-clock start plus a monotonic offset: sub-millisecond precision, never going backwards within a process.
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * NS_PER_US;
}

function toNs(t: TimeInput | undefined): bigint {
  if (t === undefined) return nowNs();
  if (Array.isArray(t)) return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
  const ms = t instanceof Date ? t.getTime() : t;
  return BigInt(Math.round(ms * 1000)) * NS_PER_US;
}

class CortexSpan implements Span {
  readonly #ctx: SpanContext;
  readonly #attributes: Attributes = {};
  readonly #events: Array<{ name: string; timeNs: bigint; attributes: Attributes }> = [];
  #status: SpanStatus = { code: SpanStatusCode.UNSET };
  #name: string;
  #ended = false;

  constructor(
    name: string,
    ctx: SpanContext,
    readonly kind: SpanKind,
    readonly parentSpanId: string | undefined,
    readonly startNs: bigint,
    readonly exporter: SpanExporter | undefined
  ) {
    this.#name = name;
    this.#ctx = ctx;
  }

  spanContext(): SpanContext {
    return this.#ctx;
  }
  setAttribute(key: string, value: SpanAttributeValue): this {
    if (this.isRecording()) this.#attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    for (const [k, v] of Object.entries(attributes)) if (v !== undefined) this.setAttribute(k, v);
    return this;
  }
  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (!this.isRecording()) return this;
    const isTime =
      typeof attributesOrTime === 'number' || attributesOrTime instanceof Date || Array.isArray(attributesOrTime);
    this.#events.push({
      name,
      timeNs: toNs(isTime ? (attributesOrTime as TimeInput) : time),
      attributes: isTime ? {} : ((attributesOrTime as Attributes | undefined) ?? {})
    });
    return this;
  }
  addLink(_link: Link): this {
    return this;
  }
  addLinks(_links: Link[]): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.#status = status;
    return this;
  }
  updateName(name: string): this {
    this.#name = name;
    return this;
  }
  isRecording(): boolean {
    return !this.#ended && this.exporter !== undefined && (this.#ctx.traceFlags & TraceFlags.SAMPLED) !== 0;
  }
  recordException(exception: Exception, time?: TimeInput): void {
    const e = typeof exception === 'string' ? { message: exception } : exception;
    this.addEvent('exception', { 'exception.type': e.name ?? 'Error', 'exception.message': e.message ?? '' }, time);
  }
  end(endTime?: TimeInput): void {
    if (!this.isRecording()) {
      this.#ended = true;
      return;
    }
    this.#ended = true;
    this.exporter!.export({
      name: this.#name,
      kind: this.kind,
      traceId: this.#ctx.traceId,
      spanId: this.#ctx.spanId,
      parentSpanId: this.parentSpanId,
      startNs: this.startNs,
      endNs: toNs(endTime),
      attributes: this.#attributes,
      status: this.#status,
      events: this.#events
    });
  }
}

/**
 * A Tracer for one function. Spans continue the span context found in the given (or active) context: a remote
 * parent read from an event's `traceparent`, or the span of the request being handled.
 *
 * @example
 * const tracer = createTracer({ exporter });
 * const span = tracer.startSpan('dev.cortex.error.reported process', { kind: SpanKind.CONSUMER }, parentContext);
 */
export function createTracer(opts: { exporter?: SpanExporter | undefined } = {}): Tracer {
  const startSpan = (name: string, options: SpanOptions = {}, ctx: Context = contextApi.active()): Span => {
    const parent = options.root ? undefined : trace.getSpanContext(ctx);
    const valid = parent !== undefined && trace.isSpanContextValid(parent);
    const spanCtx: SpanContext = {
      traceId: valid ? parent.traceId : newTraceId(),
      spanId: newSpanId(),
      traceFlags: valid ? parent.traceFlags : TraceFlags.SAMPLED,
      ...(valid && parent.traceState ? { traceState: parent.traceState } : {})
    };
    const span = new CortexSpan(
      name,
      spanCtx,
      options.kind ?? SpanKind.INTERNAL,
      valid ? parent.spanId : undefined,
      toNs(options.startTime),
      opts.exporter
    );
    if (options.attributes) span.setAttributes(options.attributes);
    return span;
  };
  function startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest.pop() as F;
    const [options, ctx] = rest as [SpanOptions | undefined, Context | undefined];
    const base = ctx ?? contextApi.active();
    const span = startSpan(name, options, base);
    return contextApi.with(trace.setSpan(base, span), () => fn(span)) as ReturnType<F>;
  }
  return { startSpan, startActiveSpan } as Tracer;
}
