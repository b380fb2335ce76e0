import type { Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { Logger } from 'pino';

/*
 * Tracing of one served function with the OpenTelemetry SDK: a tracer provider of its own (several functions share
 * the local stack's process, each with its own `service.name`), spans exported in batches over OTLP/HTTP (JSON) to a
 * configured collector. Without a collector spans are still made, for their ids: they are what the events carry from
 * hop to hop as `traceparent`. Export is best effort: a collector that is down costs a warning, never a delivery.
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

/**
 * @example
 * const tracing = createTracing({ service: 'error-intake', endpoint: config.otlpEndpoint, log });
 * const span = tracing.tracer.startSpan('dev.cortex.error.reported process');
 */
export function createTracing(opts: { service: string; endpoint?: string | undefined; log: Pick<Logger, 'warn'> }): Tracing {
  const url = opts.endpoint ? `${opts.endpoint.replace(/\/+$/, '')}/v1/traces` : undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.service, 'service.namespace': 'cortex' }),
    spanProcessors: url
      ? [
          new BatchSpanProcessor(new LoggedExporter(new OTLPTraceExporter({ url, timeoutMillis: 5_000 }), opts.log, url), {
            scheduledDelayMillis: 1_000
          })
        ]
      : []
  });
  return { tracer: provider.getTracer('cortex'), shutdown: () => provider.shutdown() };
}

/** A tracer that records nothing: spans for their ids only (a runtime served without tracing, in tests). */
export const untracedTracer: Tracer = new NodeTracerProvider().getTracer('cortex');
