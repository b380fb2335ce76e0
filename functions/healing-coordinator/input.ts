import { Events, RemediationRequested } from '../../shared/events/catalog.js';
import type { DataOf } from '../../shared/events/define.js';
import {
  ACTIONS,
  CHECKS,
  checkFunction,
  remediationFunction,
  type Action,
  type CheckName,
  type Target
} from '../../shared/events/schemas.js';
import type { DeadLetter, EventOf } from '../../shared/runtime/define-function.js';
import type { DependencyEnd, ParentLink } from './state.js';

/*
 * What the coordinator hears, as saga inputs. One pure translation from a delivered event: the input, its idempotency
 * key, and the target whose state it moves (or the healing to look the target up by). Dead letters become "lost"
 * inputs for the check or remediation that never took its request.
 */

export const ON = [
  Events.HealingRequested,
  Events.DiagnosisCompleted,
  Events.RemediationCompleted,
  Events.ApprovalDecided,
  Events.PingTick
] as const;
/** Requests the coordinator sent that a subscriber never took (delivered back through the Triggers' deadLetterSink). */
export const DEAD_LETTERS = [
  Events.DiagnosisRequested,
  Events.VerificationRequested,
  ...ACTIONS.map((a) => RemediationRequested[a])
];

export type CoordinatorEvent = EventOf<(typeof ON)[number] | (typeof DEAD_LETTERS)[number]>;

export type Input =
  | {
      kind: 'requested';
      key: string;
      time: string;
      data: DataOf<typeof Events.HealingRequested>;
      trace?: string | undefined;
    }
  | { kind: 'diagnosis'; key: string; data: DataOf<typeof Events.DiagnosisCompleted> }
  | { kind: 'remediation'; key: string; data: DataOf<typeof Events.RemediationCompleted> }
  /** An operator's decision on an approval request, signed by the approvals function (verified before it gets here). */
  | { kind: 'approval'; key: string; data: DataOf<typeof Events.ApprovalDecided> }
  | { kind: 'check-lost'; key: string; healingId: string; phase: 'diagnose' | 'verify'; checks: CheckName[]; reason: string }
  | { kind: 'action-lost'; key: string; healingId: string; action: Action; reason: string }
  | { kind: 'tick'; key: string }
  /**
   * Not an event: the healing of another target needs this one healed first (a dependency that is down). The runner
   * applies it to this target's state as its own transaction, after the parent's state committed.
   */
  | {
      kind: 'dependency-requested';
      key: string;
      parent: ParentLink;
      /** The targets above this one, the original first (`namespace/service`). */
      chain: string[];
      sessionIds: string[];
      reason: string;
      trace?: string | undefined;
    }
  /** Not an event: the healing of a dependency ended; applied to the state of the target that waited for it. */
  | { kind: 'dependency-ended'; key: string; healingId: string; end: DependencyEnd };

/** Where an input goes: a target's saga (given, or looked up by healing id), every target's deadlines, or nowhere. */
export type Routed =
  /** `target` when the event names it, else `healingId` to look it up by. */
  | { kind: 'saga'; input: Input; target: Target | undefined; healingId?: string }
  | { kind: 'tick'; tickId: string }
  | { kind: 'ignore'; why: string };

/** The function names of the checks, for reading a dead letter's destination. */
const CHECK_OF = new Map<string, CheckName>(CHECKS.map((c) => [checkFunction(c), c]));
const ACTION_OF_TYPE = new Map<string, Action>(ACTIONS.map((a) => [RemediationRequested[a].type, a]));

/**
 * The function a dead-letter destination names: `http://check-pod-status.cortex.svc…` in a cluster (the host's first
 * label), `…/check-pod-status` locally (the last path segment).
 *
 * @example
 * functionOfDest('http://check-pod-status.cortex.svc.cluster.local'); // → 'check-pod-status'
 */
export function functionOfDest(
  dest: string | undefined,
  known: ReadonlySet<string> | ReadonlyMap<string, unknown>
): string | undefined {
  if (!dest || !URL.canParse(dest)) return undefined;
  const url = new URL(dest);
  const candidates = [url.hostname.split('.')[0], url.pathname.split('/').filter(Boolean).at(-1)];
  return candidates.find((c): c is string => c !== undefined && known.has(c));
}

const why = (dl: DeadLetter, fn: string): string =>
  `${fn} did not take the request (dead-lettered${dl.code ? `, HTTP ${dl.code}` : ''})`;

function lost(
  event: Extract<CoordinatorEvent, { type: (typeof DEAD_LETTERS)[number]['type'] }>,
  dl: DeadLetter,
  key: string
): Routed {
  const { healingId, target } = event.data;
  if (event.type === Events.DiagnosisRequested.type || event.type === Events.VerificationRequested.type) {
    const { phase, checks } = event.data as DataOf<typeof Events.DiagnosisRequested>;
    const fn = functionOfDest(dl.dest, CHECK_OF);
    const check = fn === undefined ? undefined : CHECK_OF.get(fn);
    // An unknown sender, or a check that was not asked: the phase deadline covers it.
    if (!check || !checks.includes(check))
      return { kind: 'ignore', why: `dead letter from ${dl.dest ?? 'an unknown destination'}` };
    return {
      kind: 'saga',
      target,
      healingId,
      input: { kind: 'check-lost', key, healingId, phase, checks: [check], reason: why(dl, fn!) }
    };
  }
  const action = ACTION_OF_TYPE.get(event.type)!;
  return {
    kind: 'saga',
    target,
    healingId,
    input: { kind: 'action-lost', key, healingId, action, reason: why(dl, remediationFunction(action)) }
  };
}

/** A check's or a remediation's answer goes to the saga of the target it names, or of the healing it belongs to. */
const answer = (input: Extract<Input, { kind: 'diagnosis' | 'remediation' | 'approval' }>): Routed => ({
  kind: 'saga',
  input,
  target: input.data.target,
  healingId: input.data.healingId
});

/**
 * Routes one delivered event. The key identifies the delivery for the saga's outbox: (source, id), and for a dead
 * letter also its destination, since one request dead-letters once per subscriber that refused it.
 *
 * @example
 * toInput(event, '2026-11-27T10:00:00.000Z'); // → { kind: 'saga', input: { kind: 'requested', … }, target, healingId }
 */
export function toInput(event: CoordinatorEvent, now: string): Routed {
  const key = `${event.source}\u0000${event.id}${event.deadLetter ? `#${event.deadLetter.dest}` : ''}`;
  if (event.deadLetter) {
    if (event.type === Events.PingTick.type)
      return { kind: 'ignore', why: 'a lost tick: the next one checks the deadlines' };
    if (
      event.type === Events.HealingRequested.type ||
      event.type === Events.DiagnosisCompleted.type ||
      event.type === Events.RemediationCompleted.type ||
      event.type === Events.ApprovalDecided.type
    )
      return { kind: 'ignore', why: `${event.type} is not a request of ours` };
    return lost(event, event.deadLetter, key);
  }
  switch (event.type) {
    case Events.HealingRequested.type: {
      const trace = typeof event.extensions.traceparent === 'string' ? event.extensions.traceparent : undefined;
      const input: Input = { kind: 'requested', key, time: event.time ?? now, data: event.data, trace };
      return { kind: 'saga', input, target: event.data.target };
    }
    case Events.DiagnosisCompleted.type:
      return answer({ kind: 'diagnosis', key, data: event.data });
    case Events.RemediationCompleted.type:
      // A refusal answers a request that was not ours (unsigned, forged, replayed) or came after our deadline.
      if (event.data.refusal)
        return { kind: 'ignore', why: `${event.data.action} refused a request it took for ours: ${event.data.refusal}` };
      return answer({ kind: 'remediation', key, data: event.data });
    case Events.ApprovalDecided.type:
      return answer({ kind: 'approval', key, data: event.data });
    case Events.PingTick.type:
      return { kind: 'tick', tickId: event.id };
    default:
      return { kind: 'ignore', why: `${event.type} is only taken as a dead letter` };
  }
}
