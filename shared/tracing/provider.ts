import type { Context, Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  NodeTracerProvider,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor
} from '@opentelemetry/sdk-trace-node';
import type { Logger } from 'pino';

/*
 * Tracing of one served function with the OpenTelemetry SDK: a tracer provider of its own (several functions share
 * the local stack's process, each with its own `service.name`), spans exported in batches over OTLP/HTTP (JSON) to a
 * configured collector. Without a collector spans are still made, for their ids: they are what the events carry from
 * hop to hop as `traceparent`. Export is best effort: a collector that is down costs a warning, never a delivery.
 * The OTLP exporter (with its transformer and metrics SDK, a fifth of a function's start-up) is imported only when a
 * collector is configured, and then without holding up the start: spans that end before it loaded wait for it.
 */

export interface Tracing {
  readonly tracer: Tracer;
  /** Flushes what is queued, then stops exporting. */
  shutdown(): Promise<void>;
}

/** The SDK's exporter, with its failures in our log (the SDK's own diagnostics are silent by default). */
class LoggedExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly log: Pick<Logger, 'warn'>,
    private readonly url: string
  ) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS)
        this.log.warn({ err: result.error, spans: spans.length, url: this.url }, 'trace export failed');
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** Spans ended before the exporter loaded, at most this many (a batch processor's default queue). */
const MAX_EARLY_SPANS = 2048;

/** A span processor whose real one (a batch exporter) arrives later; ended spans are kept until then. */
class DeferredProcessor implements SpanProcessor {
  #inner: SpanProcessor | undefined;
  #early: ReadableSpan[] = [];
  readonly #ready: Promise<void>;

  constructor(load: () => Promise<SpanProcessor>, log: Pick<Logger, 'warn'>) {
    this.#ready = load().then(
      (inner) => {
        this.#inner = inner;
        for (const span of this.#early) inner.onEnd(span);
        this.#early = [];
      },
      (err: unknown) => {
        this.#early = [];
        log.warn({ err }, 'trace exporter did not load; spans are not exported');
      }
    );
  }
  onStart(span: Span, parent: Context): void {
    this.#inner?.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    if (this.#inner) this.#inner.onEnd(span);
    else if (this.#early.length < MAX_EARLY_SPANS) this.#early.push(span);
  }
  async forceFlush(): Promise<void> {
    await this.#ready;
    await this.#inner?.forceFlush();
  }
  async shutdown(): Promise<void> {
    await this.#ready;
    await this.#inner?.shutdown();
  }
}

/**
 * @example
 * const tracing = createTracing({ service: 'error-intake', endpoint: config.otlpEndpoint, log });
 * const span = tracing.tracer.startSpan('dev.cortex.error.reported process');
 */
export function createTracing(opts: { service: string; endpoint?: string | undefined; log: Pick<Logger, 'warn'> }): Tracing {
  const url = opts.endpoint ? `${opts.endpoint.replace(/\/+$/, '')}/v1/traces` : undefined;
  const exporting = async (to: string): Promise<SpanProcessor> => {
    const [{ OTLPTraceExporter }, { BatchSpanProcessor }] = await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/sdk-trace-node')
    ]);
    const exporter = new LoggedExporter(new OTLPTraceExporter({ url: to, timeoutMillis: 5_000 }), opts.log, to);
    return new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 });
  };
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.service, 'service.namespace': 'cortex' }),
    spanProcessors: url ? [new DeferredProcessor(() => exporting(url), opts.log)] : []
  });
  return { tracer: provider.getTracer('cortex'), shutdown: () => provider.shutdown() };
}

/** A tracer that records nothing: spans for their ids only (a runtime served without tracing, in tests). */
export const untracedTracer: Tracer = new NodeTracerProvider().getTracer('cortex');
