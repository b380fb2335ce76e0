import { Events } from '../../shared/events/catalog.js';
import type { CloudEventRecord } from '../../shared/events/http.js';
import type { DataOf } from '../../shared/events/define.js';
import { ReasonCode, type Target } from '../../shared/events/schemas.js';
import type { CortexEvent } from '../../shared/runtime/define-function.js';
import type { EndedFacts, HealingFacts } from './sessions.js';

/*
 * CloudEvent → what a browser sees. Session streams keep the seed's event names and fields (`service`, `issue`,
 * `message`, `success`, `recommendation`) and add ours; the operator stream gets the CloudEvent whole.
 */

export type SessionEventName =
  'healing_start' | 'healing_progress' | 'healing_complete' | 'healing_failed' | 'healing_explained' | 'processing_delay';

export interface SessionEvent {
  readonly event: SessionEventName;
  readonly data: Record<string, unknown>;
  /** Only these sessions get it (a synthesized outcome goes to the joiners, not to sessions that saw the real one). */
  readonly only?: readonly string[];
}

type Data<D> = DataOf<D> & Record<string, unknown>;

interface JoinedOutcome {
  status: 'completed' | 'failed' | 'escalated';
  reasonCode: ReasonCode | undefined;
  summary: string;
  manualSteps: string[];
}

function outcomeOf(value: unknown): JoinedOutcome | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const o = value as Record<string, unknown>;
  if (o.status !== 'completed' && o.status !== 'failed' && o.status !== 'escalated') return undefined;
  const steps = Array.isArray(o.manualSteps) ? o.manualSteps.filter((s): s is string => typeof s === 'string') : [];
  const code = ReasonCode.safeParse(o.reasonCode);
  return {
    status: o.status,
    reasonCode: code.success ? code.data : o.status === 'escalated' ? 'escalated' : undefined,
    summary: typeof o.summary === 'string' ? o.summary : '',
    manualSteps: steps
  };
}

const failed = (
  healingId: string,
  target: Target | undefined,
  reasonCode: ReasonCode | undefined,
  message: string,
  manualSteps: readonly string[],
  findings: readonly unknown[]
) => ({
  service: target?.service ?? '',
  reasonCode: reasonCode ?? null,
  message,
  recommendation: manualSteps.join('\n'),
  healingId,
  target: target ?? null,
  findings,
  manualSteps
});

function progress(d: Data<typeof Events.HealingProgress>, facts: HealingFacts | undefined): SessionEvent[] {
  const target = d.target ?? facts?.target;
  const data: Record<string, unknown> = {
    service: target?.service ?? '',
    message: d.message,
    healingId: d.healingId,
    target: target ?? null,
    stage: d.stage,
    done: d.done,
    total: d.total
  };
  for (const k of ['check', 'verdict', 'action', 'outcome'] as const) if (d[k] !== undefined) data[k] = d[k];
  const out: SessionEvent[] = [{ event: 'healing_progress', data }];
  const ended = d.stage === 'joined' ? outcomeOf(d.outcome) : undefined;
  const joiners = d.sessionIds ?? [];
  if (!ended || joiners.length === 0) return out;
  // The healing had already ended when these sessions joined: give them the outcome they would otherwise never see.
  const known = facts?.ended;
  out.push(
    ended.status === 'completed'
      ? {
          event: 'healing_complete',
          data: {
            service: target?.service ?? '',
            success: true,
            message: ended.summary,
            healingId: d.healingId,
            target: target ?? null,
            actions: known?.actions ?? [],
            durationMs: known?.durationMs ?? 0
          },
          only: joiners
        }
      : {
          event: 'healing_failed',
          data: failed(d.healingId, target, ended.reasonCode, ended.summary, ended.manualSteps, known?.findings ?? []),
          only: joiners
        }
  );
  return out;
}

/** The types a session stream shows: the only ones that teach the relay who follows a healing. */
export const STREAMED = [
  Events.HealingStarted,
  Events.HealingProgress,
  Events.HealingCompleted,
  Events.HealingFailed,
  Events.HealingExplained,
  Events.ChatDelayed
] as const;

/** The session-stream events one CloudEvent becomes; none for types browsers do not follow, and none for dead letters. */
export function sessionEventsOf(event: CortexEvent, facts: HealingFacts | undefined): SessionEvent[] {
  if (event.deadLetter) return [];
  switch (event.type) {
    case Events.HealingStarted.type: {
      const d = event.data as Data<typeof Events.HealingStarted>;
      return [
        {
          event: 'healing_start',
          data: { service: d.target.service, issue: d.reason, healingId: d.healingId, target: d.target, checks: d.checks }
        }
      ];
    }
    case Events.HealingProgress.type:
      return progress(event.data as Data<typeof Events.HealingProgress>, facts);
    case Events.HealingCompleted.type: {
      const d = event.data as Data<typeof Events.HealingCompleted>;
      return [
        {
          event: 'healing_complete',
          data: {
            service: d.target.service,
            success: true,
            message: d.summary,
            healingId: d.healingId,
            target: d.target,
            actions: d.actions,
            durationMs: d.durationMs,
            ...(d.rootCause ? { rootCause: d.rootCause } : {})
          }
        }
      ];
    }
    case Events.HealingFailed.type: {
      const d = event.data as Data<typeof Events.HealingFailed>;
      return [
        {
          event: 'healing_failed',
          data: {
            ...failed(d.healingId, d.target, d.reasonCode, d.reason, d.manualSteps, d.findings),
            ...(d.rootCause ? { rootCause: d.rootCause } : {}),
            ...(d.resumesAt ? { resumesAt: d.resumesAt } : {}),
            ...(d.rolledBack !== undefined ? { rolledBack: d.rolledBack, undone: d.undone ?? [] } : {})
          }
        }
      ];
    }
    case Events.HealingExplained.type: {
      const d = event.data as Data<typeof Events.HealingExplained>;
      const { healingId, target, summary, nextStep, model, redactions } = d;
      return [
        {
          event: 'healing_explained',
          data: { service: target.service, healingId, target, summary, nextStep, model, redactions }
        }
      ];
    }
    case Events.ChatDelayed.type: {
      const d = event.data as Data<typeof Events.ChatDelayed>;
      return [{ event: 'processing_delay', data: { message: d.reason, attempt: d.attempt, retryInMs: d.retryInMs } }];
    }
    default:
      return [];
  }
}

/** The event as a structured-mode CloudEvent, extensions included (a dead letter keeps its knativeerror* ones). */
export function cloudEventOf(event: CortexEvent): CloudEventRecord {
  return {
    specversion: '1.0',
    id: event.id,
    source: event.source,
    type: event.type,
    ...(event.time !== undefined ? { time: event.time } : {}),
    datacontenttype: 'application/json',
    ...event.extensions,
    data: event.data
  };
}

/** The target an event names, if any. */
export function targetIn(data: unknown): Target | undefined {
  const t = data !== null && typeof data === 'object' ? (data as { target?: unknown }).target : undefined;
  return t !== null && typeof t === 'object' && typeof (t as Target).service === 'string' ? (t as Target) : undefined;
}

/** What a healing's end tells a session that joins later. */
export function endedFactsOf(event: CortexEvent): EndedFacts | undefined {
  if (event.type === Events.HealingCompleted.type) {
    const d = event.data as Data<typeof Events.HealingCompleted>;
    return { actions: d.actions, durationMs: d.durationMs };
  }
  if (event.type === Events.HealingFailed.type)
    return { findings: (event.data as Data<typeof Events.HealingFailed>).findings };
  return undefined;
}
