import type { Action } from '../../shared/events/schemas.js';
import type { OutcomeKind, Workload } from './scenario.js';

/*
 * Reads what Cortex did for one workload out of the CloudEvents of the operator stream. Pure: the events in, the
 * observation out. A healing's outcome is read from its terminal event; healing.failed is told apart by its
 * `reasonCode` when it carries one, else by what happened (no run started: escalated; a remediation denied: denied).
 */

export interface SeenEvent {
  type: string;
  id: string;
  time?: string;
  data: Record<string, unknown>;
  [attr: string]: unknown;
}

export interface Observed {
  outcome: OutcomeKind | 'none';
  /** The healing runs started for the workload. */
  healingIds: string[];
  /** Remediations the coordinator asked for, in order, each with the answer it got (if any). */
  actions: Array<{ action: Action; answer?: string }>;
  /** The outcome's summary or reason. */
  text: string;
  manualSteps: string[];
  /** When the outcome was decided (the terminal event's time, ms since epoch). */
  at?: number;
  /** The outcome's `rootCause.object`. */
  rootCause?: string;
  /** Remediations of the workload asked for before the healing of a dependency it waited for had ended. */
  beforeRootCause: Action[];
}

const T = 'dev.cortex.';
const REQUESTED = /^dev\.cortex\.remediation\.([a-z_]+)\.requested$/;

const isFor = (e: SeenEvent, w: Workload): boolean => {
  const t = e.data['target'] as { namespace?: string; service?: string } | undefined;
  return t?.namespace === w.namespace && t?.service === w.name;
};
const healingOf = (e: SeenEvent): string => String(e.data['healingId'] ?? '');
const terminal = (e: SeenEvent): boolean => e.type === `${T}healing.completed` || e.type === `${T}healing.failed`;

/** The failed outcome's kind: its reasonCode when there is one, else read from the run. */
function failedKind(e: SeenEvent, started: boolean, answers: string[]): OutcomeKind {
  const code = e.data['reasonCode'];
  if (code === 'escalated') return 'escalated';
  if (code === 'denied') return 'denied';
  if (typeof code === 'string') return 'failed';
  if (!started) return 'escalated';
  return answers.includes('denied') ? 'denied' : 'failed';
}

/**
 * What happened to a workload in `events` (one round's slice of the stream). `sessionId` is the session of the
 * round's report, which an absorbed report's outcome is announced to.
 */
export function observe(events: readonly SeenEvent[], w: Workload, sessionId?: string): Observed {
  const mine = events.filter((e) => isFor(e, w));
  const healingIds = mine.filter((e) => e.type === `${T}healing.started`).map(healingOf);
  const requests = events.filter((e) => REQUESTED.test(e.type) && healingIds.includes(healingOf(e)));
  const actions = requests.map((e) => {
    const action = REQUESTED.exec(e.type)![1] as Action;
    const answer = events.find(
      (c) => c.type === `${T}remediation.completed` && healingOf(c) === healingOf(e) && c.data['action'] === action
    );
    return { action, ...(answer ? { answer: String(answer.data['outcome']) } : {}) };
  });
  const beforeRootCause = dependencyOrder(events, healingIds, requests);
  const end = mine.find(terminal);
  if (end) {
    const rootCause = (end.data['rootCause'] as { object?: string } | undefined)?.object;
    const started = healingIds.includes(healingOf(end));
    const completed = end.type === `${T}healing.completed`;
    const done = completed ? ((end.data['actions'] as string[] | undefined) ?? []) : [];
    return {
      outcome: completed
        ? done.length
          ? 'healed'
          : 'no_action'
        : failedKind(
            end,
            started,
            actions.map((a) => a.answer ?? '')
          ),
      healingIds,
      actions,
      text: String(end.data[completed ? 'summary' : 'reason'] ?? ''),
      manualSteps: (end.data['manualSteps'] as string[] | undefined) ?? [],
      ...(end.time ? { at: Date.parse(end.time) } : {}),
      ...(rootCause ? { rootCause } : {}),
      beforeRootCause
    };
  }
  const joined = sessionId
    ? mine.find(
        (e) =>
          e.type === `${T}healing.progress` &&
          e.data['stage'] === 'joined' &&
          e.data['outcome'] !== undefined &&
          ((e.data['sessionIds'] as string[] | undefined) ?? []).includes(sessionId)
      )
    : undefined;
  if (joined && healingIds.length === 0) {
    const o = joined.data['outcome'] as { summary?: string; manualSteps?: string[] };
    return {
      outcome: 'absorbed',
      healingIds,
      actions,
      text: o.summary ?? '',
      manualSteps: o.manualSteps ?? [],
      beforeRootCause
    };
  }
  return { outcome: 'none', healingIds, actions, text: '', manualSteps: [], beforeRootCause };
}

/**
 * The workload's remediations asked for before the healing of a dependency it waited for ended (a healing.started
 * naming one of its healings as parent): a restart then would only crash again.
 */
function dependencyOrder(
  events: readonly SeenEvent[],
  healingIds: readonly string[],
  requests: readonly SeenEvent[]
): Action[] {
  const children = events
    .filter((e) => e.type === `${T}healing.started` && healingIds.includes(String(e.data['parentHealingId'] ?? '')))
    .map(healingOf);
  if (children.length === 0) return [];
  const ended = events.findIndex((e) => terminal(e) && children.includes(healingOf(e)));
  const cut = ended < 0 ? events.length : ended;
  return requests.filter((e) => events.indexOf(e) < cut).map((e) => REQUESTED.exec(e.type)![1] as Action);
}

/** True once the workload's round has an outcome and no run of it is still going. */
export function settled(events: readonly SeenEvent[], w: Workload, sessionId?: string): boolean {
  const o = observe(events, w, sessionId);
  if (o.outcome === 'none') return false;
  const ended = new Set(events.filter((e) => terminal(e) && isFor(e, w)).map(healingOf));
  return o.healingIds.every((id) => ended.has(id));
}

/** Workloads that got a healing run or an escalation without being expected to. */
export function unexpected(events: readonly SeenEvent[], expected: readonly Workload[]): Workload[] {
  const out = new Map<string, Workload>();
  for (const e of events) {
    if (e.type !== `${T}healing.started` && !terminal(e)) continue;
    const t = e.data['target'] as { namespace: string; service: string } | undefined;
    if (!t || expected.some((w) => w.namespace === t.namespace && w.name === t.service)) continue;
    out.set(`${t.namespace}/${t.service}`, { namespace: t.namespace, name: t.service });
  }
  return [...out.values()];
}
