import type { Intent } from './define.js';
import type { CloudEventRecord } from './http.js';
import { EXTENSIONS } from './attributes.js';

/** Time, injected so handlers stay pure and tests control it. */
export interface Clock {
  now(): Date;
}

/** Id minting, injected for the same reason. */
export interface Ids {
  /** A fresh random id, for things with no causing event (a chat session, a CLI send). */
  uuid(): string;
  /** A stable id derived from its parts: the same parts give the same id, on any replica, after any restart. */
  derive(...parts: string[]): string;
}

/** What caused an emission: the input event, or nothing when a function acts on its own (HTTP, timer, crash). */
export interface Cause {
  id: string;
  source: string;
  correlationid?: string | undefined;
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

/** The W3C trace context an emitted event carries: the emitting function's span, as its receivers' parent. */
export interface TraceStamp {
  traceparent: string;
  tracestate?: string | undefined;
}

/** The CloudEvents `source` of everything a function emits. */
export const sourceOf = (fn: string): string => `/cortex/${fn}`;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/**
 * Stamps the envelope of an emitted event. The id is derived from the cause's (source, id), the emitting function
 * (so the eight checks answering one request get eight ids, not one id from eight sources), the emitted type and its
 * index, so a redelivered input produces byte-identical ids; without a cause the id is fresh. `trace` is the span of
 * the emitting function (the CloudEvents distributed-tracing extension); without it the cause's trace context is kept.
 *
 * @example
 * stamp('error-intake', intent, 0, { cause: { id: 'e1', source: '/cortex/chat' }, clock, ids });
 */
export function stamp(
  fn: string,
  intent: Intent,
  index: number,
  deps: { cause?: Cause | undefined; clock: Clock; ids: Ids; trace?: TraceStamp | undefined }
): CloudEventRecord {
  const { cause, clock, ids } = deps;
  const id = cause ? ids.derive(cause.source, cause.id, fn, intent.type, String(index)) : ids.uuid();
  const data = (intent.data ?? {}) as Record<string, unknown>;
  const sessionIds = Array.isArray(data.sessionIds) ? (data.sessionIds as unknown[]) : [];
  const record: CloudEventRecord = {
    specversion: '1.0',
    id,
    source: sourceOf(fn),
    type: intent.type,
    time: clock.now().toISOString(),
    datacontenttype: 'application/json',
    [EXTENSIONS.correlationid]: cause?.correlationid ?? cause?.id ?? id,
    data
  };
  if (cause) record[EXTENSIONS.causationid] = cause.id;
  const healingId = str(data.healingId);
  if (healingId) record[EXTENSIONS.healingid] = healingId;
  const sessionId = str(data.sessionId) ?? (sessionIds.length === 1 ? str(sessionIds[0]) : undefined);
  if (sessionId) record[EXTENSIONS.sessionid] = sessionId;
  const trace =
    deps.trace ?? (cause?.traceparent ? { traceparent: cause.traceparent, tracestate: cause.tracestate } : undefined);
  if (trace) {
    record[EXTENSIONS.traceparent] = trace.traceparent;
    if (trace.tracestate) record[EXTENSIONS.tracestate] = trace.tracestate;
  }
  return record;
}
