import { z } from 'zod';
import { eventDef } from '../events/catalog.js';
import { EXTENSIONS } from '../events/attributes.js';
import { stamp, type Cause } from '../events/envelope.js';
import { fromHttp, type CloudEventRecord, type Headers } from '../events/http.js';
import type { AnyEventDef, Intent } from '../events/define.js';
import type { AnyFunctionDef, CortexEvent, Ctx, DeadLetter } from './define-function.js';
import { InProgressError, InvalidEventError } from './errors.js';
import { idempotencyKey, type Idempotency } from './idempotency.js';
import type { Publish } from './publish.js';

export interface DeliveryDeps {
  def: AnyFunctionDef;
  ctx: Ctx;
  publish: Publish;
  seen: Idempotency;
}

export type DeliveryResult = { status: 202; outcome: 'handled' | 'duplicate'; emitted: CloudEventRecord[]; event: CortexEvent };

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
    throw new InvalidEventError(`${def.name} does not handle events of type "${record.type}"`, { data: { accepts: def.on.map((d: AnyEventDef) => d.type) } });
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
  return { id: record.id, source: record.source, type: record.type, time: record.time, data, extensions, ...(deadLetter ? { deadLetter } : {}) };
}

/** The cause an emission derives its ids and correlation from. */
export function causeOf(event: CortexEvent): Cause {
  const ext = event.extensions;
  return {
    id: event.id,
    source: event.source,
    correlationid: typeof ext.correlationid === 'string' ? ext.correlationid : undefined,
    traceparent: typeof ext.traceparent === 'string' ? ext.traceparent : undefined
  };
}

/** Checks every intent against the function's declared emissions and the catalog schema, then stamps it. */
export function stampIntents(def: AnyFunctionDef, intents: readonly Intent[], cause: Cause | undefined, ctx: Ctx): CloudEventRecord[] {
  return intents.map((intent, i) => {
    const out = eventDef(intent.type);
    if (!out || !def.emits.includes(out)) throw new Error(`${def.name} emitted undeclared type ${intent.type}`);
    const data = out.data.parse(intent.data);
    return stamp(def.name, { type: intent.type, data }, i, { cause, clock: ctx.clock, ids: ctx.ids });
  });
}

/**
 * One delivery, from raw HTTP to published intents: parse strictly, check the type, validate data, skip
 * duplicates, run the handler, publish every intent. Throws CortexErrors whose HTTP status carries retry meaning.
 */
export async function deliver(deps: DeliveryDeps, headers: Headers, body: string): Promise<DeliveryResult> {
  const { def, ctx, publish, seen } = deps;
  const record = fromHttp(headers, body);
  const deadLetter = deadLetterOf(record);
  const known = accepted(def, record, deadLetter !== undefined);
  const event = toCortexEvent(record, parseData(known, record.data), deadLetter);
  // A dead letter shares (source, id) with the original delivery; it is a different fact, so it is keyed apart.
  const key = idempotencyKey(record.source, deadLetter ? `${record.id}#dead-letter:${deadLetter.dest}` : record.id);
  const state = seen.begin(key);
  if (state === 'done') return { status: 202, outcome: 'duplicate', emitted: [], event };
  if (state === 'running') throw new InProgressError(`event ${record.id} from ${record.source} is being handled right now`);
  try {
    const intents = await def.handle(event as never, ctx);
    const emitted = stampIntents(def, intents, causeOf(event), ctx);
    // Publish in order; deterministic ids make a retry after a partial publish safe.
    for (const e of emitted) await publish(e);
    seen.complete(key);
    return { status: 202, outcome: 'handled', emitted, event };
  } catch (err) {
    seen.abandon(key);
    throw err;
  }
}
