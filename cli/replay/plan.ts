import { randomUUID } from 'node:crypto';
import type { CloudEventRecord } from '../../shared/events/http.js';
import { newSpanId, newTraceId } from '../../shared/tracing/traceparent.js';
import { isDeadLetter, type EventLine } from '../events-file.js';

/*
 * What a replay sends. A recording of a healing holds the event that started it (an error.reported) and everything
 * the functions derived from it; their `causationid` names an earlier event of the same file. Sending those again
 * would run every check and remediation twice, next to the runs the replayed cause starts anyway, so by default only
 * the events nothing in the file caused are sent and the functions derive the rest again. `--all` sends every line.
 * Dead letters are never sent: they describe a failed delivery of an event that is itself in the recording.
 */

export interface ReplayPlan {
  readonly send: EventLine[];
  /** Lines caused by an earlier line (skipped unless --all). */
  readonly derived: EventLine[];
  readonly deadLetters: EventLine[];
}

/**
 * @example
 * const plan = planReplay(events, { all: false }); // plan.send: the root events, in file order
 */
export function planReplay(events: readonly EventLine[], opts: { all: boolean }): ReplayPlan {
  const seen = new Set<string>();
  const send: EventLine[] = [];
  const derived: EventLine[] = [];
  const deadLetters: EventLine[] = [];
  for (const l of events) {
    if (isDeadLetter(l.event)) deadLetters.push(l);
    else if (!opts.all && typeof l.event.causationid === 'string' && seen.has(l.event.causationid)) derived.push(l);
    else send.push(l);
    seen.add(l.event.id);
  }
  return { send, derived, deadLetters };
}

/** Extensions the broker sets on its way through; a replay must not carry them in (an old TTL could even be 0). */
const BROKER_SET = ['knativearrivaltime', 'knativebrokerttl'];

/** The event as it goes to the broker again, ids kept: broker-set extensions removed. */
export function asRecorded(event: CloudEventRecord): CloudEventRecord {
  const out = { ...event };
  for (const k of BROKER_SET) delete out[k];
  return out;
}

/**
 * The event as a new fact: a fresh id (so consumers do not deduplicate it), the current time (also for an
 * error.reported's `occurredAt`, which otherwise reads as a failure already handled), and a new trace. Correlation
 * and causation ids that named a renewed event follow it.
 *
 * @example
 * const renew = renewer(() => new Date());
 * const fresh = renew(recorded); // fresh.id !== recorded.id
 */
export function renewer(now: () => Date, uuid: () => string = randomUUID): (event: CloudEventRecord) => CloudEventRecord {
  const renamed = new Map<string, string>();
  return (event) => {
    const id = uuid();
    renamed.set(event.id, id);
    const time = now().toISOString();
    const out: CloudEventRecord = { ...asRecorded(event), id, time };
    for (const ext of ['correlationid', 'causationid'] as const) {
      const v = out[ext];
      if (typeof v === 'string' && renamed.has(v)) out[ext] = renamed.get(v);
    }
    delete out.tracestate;
    out.traceparent = `00-${newTraceId()}-${newSpanId()}-01`;
    const data = out.data;
    if (data !== null && typeof data === 'object' && !Array.isArray(data) && 'occurredAt' in data)
      out.data = { ...data, occurredAt: time };
    return out;
  };
}
