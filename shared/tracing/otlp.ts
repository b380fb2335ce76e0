import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { Logger } from '../runtime/logging.js';
import type { FinishedSpan, SpanExporter } from './tracer.js';

/*
 * OTLP/HTTP with the JSON encoding (opentelemetry-proto `ExportTraceServiceRequest`): ended spans are queued and
 * POSTed in batches to `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`. Ids are hex strings and enum values numbers, as the
 * OTLP JSON mapping requires. Export is best effort: a collector that is down costs a warning and the batch, never a
 * delivery. Only used when the endpoint is configured.
 */

export interface OtlpExporterOptions {
  /** Base URL of the collector's OTLP/HTTP receiver, e.g. http://otel-collector.observability:4318. */
  endpoint: string;
  /** `service.name` of every span (the function's name). */
  service: string;
  log: Logger;
  fetch?: typeof fetch;
  /** How often queued spans are sent. */
  intervalMs?: number;
  /** Spans per request; a full batch is sent at once. */
  maxBatch?: number;
  /** Spans kept while the collector is slow; the oldest are dropped beyond it. */
  maxQueue?: number;
  timeoutMs?: number;
}

type OtlpValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpValue[] } };

function value(v: AttributeValue): OtlpValue {
  if (Array.isArray(v))
    return {
      arrayValue: {
        values: (v as Array<string | number | boolean>).filter((x) => x !== null && x !== undefined).map((x) => value(x))
      }
    };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { stringValue: String(v) };
}

function attributes(attrs: Attributes): Array<{ key: string; value: OtlpValue }> {
  return Object.entries(attrs)
    .filter((e): e is [string, AttributeValue] => e[1] !== undefined)
    .map(([key, v]) => ({ key, value: value(v) }));
}

/**
 * One span in the OTLP JSON mapping: hex ids, nanosecond strings, SpanKind as the API's value plus one, status codes
 * as they are.
 *
 * @example
 * otlpSpan(finished); // → { traceId: '4bf9…', spanId: '00f0…', name: 'dev.cortex.error.reported process', kind: 5, … }
 */
export function otlpSpan(s: FinishedSpan): Record<string, unknown> {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: s.kind + 1,
    startTimeUnixNano: String(s.startNs),
    endTimeUnixNano: String(s.endNs),
    attributes: attributes(s.attributes),
    events: s.events.map((e) => ({ name: e.name, timeUnixNano: String(e.timeNs), attributes: attributes(e.attributes) })),
    status: { code: s.status.code, ...(s.status.message ? { message: s.status.message } : {}) }
  };
}

/**
 * @example
 * const exporter = createOtlpExporter({ endpoint: config.otlpEndpoint, service: 'error-intake', log });
 * const tracer = createTracer({ exporter });
 */
export function createOtlpExporter(opts: OtlpExporterOptions): SpanExporter {
  const url = `${opts.endpoint.replace(/\/+$/, '')}/v1/traces`;
  const doFetch = opts.fetch ?? fetch;
  const maxBatch = opts.maxBatch ?? 512;
  const maxQueue = opts.maxQueue ?? 4096;
  let queue: FinishedSpan[] = [];
  let dropped = 0;
  let inflight: Promise<void> = Promise.resolve();

  const send = async (batch: FinishedSpan[]): Promise<void> => {
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: attributes({ 'service.name': opts.service, 'service.namespace': 'cortex' }) },
          scopeSpans: [{ scope: { name: 'cortex' }, spans: batch.map(otlpSpan) }]
        }
      ]
    });
    try {
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000)
      });
      await res.text().catch(() => '');
      if (!res.ok) opts.log.warn({ status: res.status, spans: batch.length, url }, 'trace export rejected');
    } catch (err) {
      opts.log.warn({ err, spans: batch.length, url }, 'trace export failed');
    }
  };

  const flush = (): Promise<void> => {
    if (dropped > 0) {
      opts.log.warn({ dropped }, 'trace export queue was full: spans dropped');
      dropped = 0;
    }
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      inflight = inflight.then(() => send(batch));
    }
    return inflight;
  };

  const timer = setInterval(() => void flush(), opts.intervalMs ?? 1_000);
  timer.unref();

  return {
    export(span) {
      queue.push(span);
      if (queue.length > maxQueue) {
        queue.shift();
        dropped++;
      }
      if (queue.length >= maxBatch) void flush();
    },
    async shutdown() {
      clearInterval(timer);
      await flush();
    }
  };
}
