import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import * as z from 'zod';
import { eventDef } from '../events/registry.js';
import { EXTENSIONS } from '../events/attributes.js';
import { stamp, type Cause, type TraceStamp } from '../events/envelope.js';
import { fromHttp, toV1, type CloudEventRecord, type Headers } from '../events/http.js';
import type { AnyEventDef, Intent } from '../events/define.js';
import type { AnyFunctionDef, CortexEvent, Ctx, DeadLetter } from './define-function.js';
import { InProgressError, InvalidEventError, RequestError } from './errors.js';
import { idempotencyKey, type Idempotency } from './idempotency.js';
import type { FunctionMetrics } from './metrics.js';
import type { Publish } from './publish.js';
import { untracedTracer } from '../tracing/provider.js';
import { parseTraceparent, traceExtensions } from '../tracing/traceparent.js';
import type { Refused, Trust } from '../trust/trust.js';
import type { DeliveryAuth } from '../trust/delivery-auth.js';

export interface DeliveryDeps {
  def: AnyFunctionDef;
  ctx: Ctx;
  publish: Publish;
  seen: Idempotency<CloudEventRecord[]>;
  /** Makes the span of each delivery; without one, spans are minted (for their ids) and not recorded. */
  tracer?: Tracer;
  /** Counts deliveries, emissions and responses for `/metrics`. */
  metrics?: FunctionMetrics;
  /** Verifies the signed events the function takes and signs the ones it sends (FunctionDef.trust). */
  trust?: Trust;
  /** With CORTEX_EVENT_AUTH=oidc: the delivery's token, checked before anything is read (401/403/503). */
  auth?: DeliveryAuth;
}

/** Signs the data of an outbound event when the function signs its type. */
export type Seal = (type: string, data: Record<string, unknown>) => Record<string, unknown>;

export type DeliveryResult = {
  status: 202;
  outcome: 'handled' | 'duplicate';
  emitted: CloudEventRecord[];
  event: CortexEvent;
  /** The delivery's span: what its log line and every emitted event's `traceparent` name. */
  trace: { traceid: string; spanid: string };
};

const CORE = new Set(['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'dataschema', 'subject', 'data']);

function deadLetterOf(record: CloudEventRecord): DeadLetter | undefined {
  const dest = record[EXTENSIONS.errorDest];
  if (dest === undefined) return undefined;
  const code = Number(record[EXTENSIONS.errorCode]);
  const raw = record[EXTENSIONS.errorData];
  let data: string | undefined;
  if (typeof raw === 'string') {
    try {
      data = Buffer.from(raw, 'base64').toString('utf8');
    } catch {
      data = raw;
    }
  }
  return { dest: String(dest), code: Number.isFinite(code) && code > 0 ? code : undefined, data };
}

/** Finds the catalog entry this function accepts for the event, or throws 400 naming the problem. */
function accepted(def: AnyFunctionDef, record: CloudEventRecord, deadLetter: boolean): AnyEventDef {
  const known = eventDef(record.type);
  if (!known) throw new InvalidEventError(`unknown event type "${record.type}": it is not in the Cortex catalog`);
  const list: readonly AnyEventDef[] = deadLetter ? [...def.on, ...(def.deadLetters ?? [])] : def.on;
  if (!list.includes(known)) {
    throw new InvalidEventError(`${def.name} does not handle events of type "${record.type}"`, {
      data: { accepts: def.on.map((d: AnyEventDef) => d.type) }
    });
  }
  return known;
}

/** Validates data against the type's schema; the error lists each failing field. */
export function parseData(known: AnyEventDef, data: unknown): unknown {
  const parsed = known.data.safeParse(data);
  if (!parsed.success) {
    throw new InvalidEventError(`data does not match the schema of ${known.type}: ${z.prettifyError(parsed.error)}`, {
      data: { issues: parsed.error.issues.map((i: z.core.$ZodIssue) => ({ path: i.path.join('.'), message: i.message })) }
    });
  }
  return parsed.data;
}

/** Turns a parsed CloudEvent into what a handler sees. */
export function toCortexEvent(record: CloudEventRecord, data: unknown, deadLetter: DeadLetter | undefined): CortexEvent {
  const extensions = Object.fromEntries(Object.entries(record).filter(([k]) => !CORE.has(k)));
  return {
    id: record.id,
    source: record.source,
    type: record.type,
    time: record.time,
    data,
    extensions,
    ...(deadLetter ? { deadLetter } : {})
  };
}

/** The cause an emission derives its ids and correlation from. */
export function causeOf(event: CortexEvent): Cause {
  const ext = event.extensions;
  return {
    id: event.id,
    source: event.source,
    correlationid: typeof ext.correlationid === 'string' ? ext.correlationid : undefined,
    traceparent: typeof ext.traceparent === 'string' ? ext.traceparent : undefined,
    tracestate: typeof ext.tracestate === 'string' ? ext.tracestate : undefined
  };
}

/**
 * Checks every intent against the function's declared emissions and the catalog schema, then stamps it; `trace` is
 * the span the intents were made in (the delivery's, or the HTTP request's).
 */
export function stampIntents(
  def: AnyFunctionDef,
  intents: readonly Intent[],
  cause: Cause | undefined,
  ctx: Pick<Ctx, 'clock' | 'ids'>,
  trace?: TraceStamp,
  seal?: Seal
): CloudEventRecord[] {
  return intents.map((intent, i) => {
    const out = eventDef(intent.type);
    if (!out || !def.emits.includes(out)) throw new Error(`${def.name} emitted undeclared type ${intent.type}`);
    // Signed as it travels: after the schema filled in its defaults, so the receiver recomputes the same bytes.
    const parsed = out.data.parse(intent.data) as Record<string, unknown>;
    const data = seal ? seal(intent.type, parsed) : parsed;
    return stamp(def.name, { type: intent.type, data }, i, { cause, clock: ctx.clock, ids: ctx.ids, trace });
  });
}

/**
 * What a function answers an event its trust rules refused: a 401 (never retried), nothing, or the intents its rule
 * makes (a remediation's `denied` outcome). Logged either way; the handler never sees the event.
 */
async function refuse(deps: DeliveryDeps, event: CortexEvent, refused: Refused): Promise<readonly Intent[]> {
  const { rule, refusal } = refused;
  const line = { type: event.type, id: event.id, source: event.source, refusal: refusal.code };
  deps.ctx.log.warn(line, `event refused: ${refusal.reason}`);
  if (rule.refuse === 'reject')
    throw new RequestError(401, 'unauthenticated_event', refusal.reason, { data: { refusal: refusal.code } });
  return rule.refuse === 'ignore' ? [] : rule.refuse(event, refusal, deps.ctx);
}

/** Starts the span of one delivery as a child of the event's `traceparent`, or as the root of a new trace. */
function deliverySpan(
  tracer: Tracer,
  def: AnyFunctionDef,
  record: CloudEventRecord
): { span: Span; parent: typeof ROOT_CONTEXT } {
  const remote = parseTraceparent(record.traceparent, record.tracestate);
  const parent = remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
  const span = tracer.startSpan(
    `${record.type} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'cloudevents.event_id': record.id,
        'cloudevents.event_source': record.source,
        'cloudevents.event_type': record.type,
        'cloudevents.event_spec_version': record.specversion,
        'faas.name': def.name,
        ...(typeof record.healingid === 'string' ? { 'cortex.healing_id': record.healingid } : {})
      }
    },
    parent
  );
  return { span, parent };
}

/**
 * One delivery, from raw HTTP to published intents: parse strictly, check the type, validate data, skip
 * duplicates, run the handler, publish every intent. Throws CortexErrors whose HTTP status carries retry meaning.
 */
export async function deliver(deps: DeliveryDeps, headers: Headers, body: string): Promise<DeliveryResult> {
  const { def, ctx, publish, seen } = deps;
  await deps.auth?.verify(headers);
  const record = toV1(fromHttp(headers, body));
  const deadLetter = deadLetterOf(record);
  const known = accepted(def, record, deadLetter !== undefined);
  const event = toCortexEvent(record, parseData(known, record.data), deadLetter);
  const { span, parent } = deliverySpan(deps.tracer ?? untracedTracer, def, record);
  const ids = { traceid: span.spanContext().traceId, spanid: span.spanContext().spanId };
  // The span is active while the handler runs and its intents are published: their log lines carry its ids.
  return context.with(trace.setSpan(parent, span), async (): Promise<DeliveryResult> => {
    // A dead letter shares (source, id) with the original delivery; it is a different fact, so it is keyed apart.
    const key = idempotencyKey(record.source, deadLetter ? `${record.id}#dead-letter:${deadLetter.dest}` : record.id);
    const state = await seen.begin(key);
    try {
      if (state === 'done') {
        span.setAttribute('cortex.outcome', 'duplicate');
        return { status: 202, outcome: 'duplicate', emitted: [], event, trace: ids };
      }
      if (state === 'running')
        throw new InProgressError(`event ${record.id} from ${record.source} is being handled right now`);
      try {
        // A redelivery after a failed publish publishes what was decided then; it does not decide again.
        let emitted = await seen.stashed(key);
        if (!emitted) {
          const refused = await deps.trust?.inbound(event);
          const intents = refused ? await refuse(deps, event, refused) : await def.handle(event as never, ctx);
          const seal = deps.trust?.seal;
          emitted = stampIntents(def, intents, causeOf(event), ctx, traceExtensions(span.spanContext()), seal);
        }
        // Publish in order; deterministic ids make a retry after a partial publish safe.
        try {
          for (const e of emitted) await publish(e);
        } catch (err) {
          // Kept where every replica finds it; if even that fails, the redelivery decides again (ids stay the same).
          await seen.stash(key, emitted).catch(() => undefined);
          throw err;
        }
        // Acknowledged (202) only once recorded: a store that is down answers 503 and the broker redelivers.
        await seen.complete(key);
        span.setAttribute('cortex.outcome', 'handled');
        return { status: 202, outcome: 'handled', emitted, event, trace: ids };
      } catch (err) {
        await seen.abandon(key);
        throw err;
      }
    } catch (err) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}
