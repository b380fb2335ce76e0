import { CHECKS, type CheckName, type Target } from '../../shared/events/schemas.js';
import type { Intent } from '../../shared/events/define.js';
import { Events } from '../../shared/events/catalog.js';
import type { DataOf } from '../../shared/events/define.js';
import type { Config } from '../../shared/runtime/config.js';
import { findingsOf, plan, type CheckResult } from './plan.js';
import {
  emptyState,
  MAX_HISTORY,
  MAX_OUTBOX,
  type Ended,
  type Healing,
  type RemediationResult,
  type TargetState
} from './state.js';
import { iso, progress } from './emit.js';
import { absorb, announceAbsorbed, announceJoins, escalate } from './flight.js';
import { remediationOutcome, verifyOutcome, type Failed } from './outcomes.js';

/*
 * The healing saga as a pure reaction: (state, input, env) → (state, intents). No I/O, no clock but env.now.
 * `decide` and `evolve` are its two halves for callers that want them apart.
 */

export const VERIFY_CHECKS: readonly CheckName[] = ['pod-status', 'service-endpoints'];

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
  | { kind: 'check-lost'; key: string; healingId: string; phase: 'diagnose' | 'verify'; checks: CheckName[]; reason: string }
  | {
      kind: 'action-lost';
      key: string;
      healingId: string;
      action: DataOf<typeof Events.RemediationCompleted>['action'];
      reason: string;
    }
  | { kind: 'tick'; key: string };

export interface Env {
  now: Date;
  healing: Config['healing'];
  dryRun: boolean;
  /** The id of a healing started by this input; deterministic, derived from the input event. */
  healingId: string;
}

export interface Reaction {
  state: TargetState;
  intents: Intent[];
}

function end(
  state: TargetState,
  h: Healing,
  env: Env,
  ended: Omit<Ended, 'healingId' | 'startedAt' | 'endedAt'>
): TargetState {
  const entry: Ended = { healingId: h.id, startedAt: h.startedAt, endedAt: iso(env.now), ...ended };
  return { ...state, active: undefined, history: [...state.history, entry].slice(-MAX_HISTORY) };
}

function complete(state: TargetState, h: Healing, env: Env, summary: string, actions: string[]): Reaction {
  const durationMs = env.now.getTime() - new Date(h.startedAt).getTime();
  return {
    state: end(state, h, env, { status: 'completed', summary, manualSteps: [] }),
    intents: [
      Events.HealingCompleted.intent({
        healingId: h.id,
        target: h.target,
        actions,
        durationMs,
        summary,
        sessionIds: h.sessionIds
      })
    ]
  };
}

function fail(state: TargetState, h: Healing, env: Env, f: Failed): Reaction {
  const { code: reasonCode, reason, manualSteps } = f;
  const findings = findingsOf({ ...h.diagnosis, ...prefixed(h.verification) }).slice(0, 50);
  return {
    state: end(state, h, env, { status: 'failed', reasonCode, summary: reason, manualSteps }),
    intents: [
      Events.HealingFailed.intent({
        healingId: h.id,
        target: h.target,
        reasonCode,
        reason,
        findings,
        manualSteps: manualSteps.slice(0, 50),
        sessionIds: h.sessionIds
      })
    ]
  };
}

/** Verification results keyed apart from diagnosis results in findings. */
function prefixed(v: Healing['verification']): Record<string, CheckResult> {
  return Object.fromEntries(Object.entries(v).map(([k, r]) => [`verify:${k}`, r!]));
}

function start(state: TargetState, input: Extract<Input, { kind: 'requested' }>, env: Env): Reaction {
  const { target, sessionIds, reportIds, category, message } = input.data;
  const h: Healing = {
    id: env.healingId,
    target,
    reason: `${category}${message ? `: ${message}` : ''}`.slice(0, 4096),
    startedAt: iso(env.now),
    trace: input.trace,
    sessionIds: [...new Set(sessionIds)],
    unannounced: [],
    announcedAt: iso(env.now),
    reportIds: [...new Set(reportIds)],
    phase: 'diagnose',
    deadline: iso(env.now, env.healing.diagnoseTimeoutMs),
    diagnosis: {},
    requested: [],
    remediation: {},
    verification: {}
  };
  return {
    state: { ...state, active: h },
    intents: [
      Events.HealingStarted.intent({
        healingId: h.id,
        target,
        reason: h.reason,
        checks: [...CHECKS],
        sessionIds: h.sessionIds
      }),
      Events.DiagnosisRequested.intent({
        healingId: h.id,
        target,
        phase: 'diagnose',
        checks: [...CHECKS],
        deadline: h.deadline
      }),
      progress(h, 'diagnose', `running ${CHECKS.length} checks on ${target.namespace}/${target.service}`, 0, CHECKS.length)
    ]
  };
}

function requested(state: TargetState, input: Extract<Input, { kind: 'requested' }>, env: Env): Reaction {
  const { sessionIds, reportIds } = input.data;
  const occurredAt = new Date(input.data.occurredAt ?? input.time).getTime();
  const h = state.active;
  if (h) {
    // Single flight: a later report joins the running healing; its sessions will get the outcome.
    const fresh = [...new Set(sessionIds)].filter((s) => !h.sessionIds.includes(s));
    const joined: Healing = {
      ...h,
      sessionIds: [...h.sessionIds, ...fresh],
      unannounced: [...h.unannounced, ...fresh],
      reportIds: [...new Set([...h.reportIds, ...reportIds])]
    };
    return { state: { ...state, active: joined }, intents: [] };
  }
  const windowStart = env.now.getTime() - env.healing.windowMs;
  const last = state.history.at(-1);
  const recentRuns = state.history.filter((e) => e.status !== 'escalated' && new Date(e.startedAt).getTime() >= windowStart);
  const stickyEscalation = last?.status === 'escalated' && recentRuns.length >= env.healing.budget;
  // A failure that happened before the last run ended was that run's business: absorb it, don't start another.
  if (last && (occurredAt <= new Date(last.endedAt).getTime() || stickyEscalation)) return absorb(state, last, sessionIds);
  if (recentRuns.length >= env.healing.budget) return escalate(state, input, env, recentRuns.length);
  return start(state, input, env);
}

function diagnosed(state: TargetState, h: Healing, env: Env): Reaction {
  const p = plan(h.diagnosis);
  if (p.kind === 'healthy') return complete(state, h, env, p.summary, []);
  if (p.kind === 'manual') return fail(state, h, env, { ...p, kind: 'failed' });
  const next: Healing = {
    ...h,
    phase: 'remediate',
    deadline: iso(env.now, env.healing.remediateTimeoutMs),
    requested: p.actions
  };
  return {
    state: { ...state, active: next },
    intents: [
      progress(
        next,
        'remediate',
        `planned: ${p.actions.map((a) => `${a.action} (${a.reason})`).join('; ')}`,
        0,
        p.actions.length
      ),
      ...p.actions.map((a) =>
        Events.RemediationRequested[a.action].intent({
          healingId: h.id,
          target: h.target,
          params: a.params,
          dryRun: env.dryRun,
          reason: a.reason
        })
      )
    ]
  };
}

function remediated(state: TargetState, h: Healing, env: Env): Reaction {
  const r = remediationOutcome(h);
  if (r.kind === 'failed') return fail(state, h, env, r);
  const next: Healing = { ...h, phase: 'verify', deadline: iso(env.now, env.healing.verifyTimeoutMs) };
  return {
    state: { ...state, active: next },
    intents: [
      Events.DiagnosisRequested.intent({
        healingId: h.id,
        target: h.target,
        phase: 'verify',
        checks: [...VERIFY_CHECKS],
        deadline: next.deadline
      }),
      progress(next, 'verify', `verifying ${VERIFY_CHECKS.join(' and ')}`, 0, VERIFY_CHECKS.length)
    ]
  };
}

function verified(state: TargetState, h: Healing, env: Env): Reaction {
  const v = verifyOutcome(h);
  return v.kind === 'healthy' ? complete(state, h, env, v.summary, v.actions) : fail(state, h, env, v);
}

/** Records check results for the current phase and advances when every expected check has answered. */
function recordChecks(
  state: TargetState,
  h: Healing,
  env: Env,
  phase: 'diagnose' | 'verify',
  results: Partial<Record<CheckName, CheckResult>>,
  force = false
): Reaction {
  const key = phase === 'diagnose' ? 'diagnosis' : 'verification';
  const expected = phase === 'diagnose' ? CHECKS : VERIFY_CHECKS;
  const fresh = Object.entries(results).filter(
    ([c]) => h[key][c as CheckName] === undefined && expected.includes(c as CheckName)
  );
  if (fresh.length === 0 && !force) return { state, intents: [] };
  const next: Healing = { ...h, [key]: { ...h[key], ...Object.fromEntries(fresh) } };
  const done = Object.keys(next[key]).length;
  const intents = fresh.map(([c, r]) =>
    progress(next, phase, `${c}: ${r!.summary}`, done, expected.length, { check: c, verdict: r!.verdict })
  );
  if (done < expected.length) return { state: { ...state, active: next }, intents };
  const after = phase === 'diagnose' ? diagnosed(state, next, env) : verified(state, next, env);
  return { state: after.state, intents: [...intents, ...after.intents] };
}

function recordAction(
  state: TargetState,
  h: Healing,
  env: Env,
  action: Healing['requested'][number]['action'],
  result: RemediationResult
): Reaction {
  if (!h.requested.some((a) => a.action === action) || h.remediation[action]) return { state, intents: [] };
  const next: Healing = { ...h, remediation: { ...h.remediation, [action]: result } };
  const done = Object.keys(next.remediation).length;
  const intents = [
    progress(next, 'remediate', `${action}: ${result.outcome}: ${result.summary}`, done, h.requested.length, {
      action,
      outcome: result.outcome
    })
  ];
  if (done < h.requested.length) return { state: { ...state, active: next }, intents };
  const after = remediated(state, next, env);
  return { state: after.state, intents: [...intents, ...after.intents] };
}

/** A phase deadline passed: silent checks count as inconclusive, silent remediations as failed. */
function timeout(state: TargetState, h: Healing, env: Env): Reaction {
  if (env.now.getTime() < new Date(h.deadline).getTime()) return { state, intents: [] };
  const silent: CheckResult = { verdict: 'inconclusive', summary: 'no answer before the deadline' };
  if (h.phase === 'remediate') {
    let r: Reaction = { state, intents: [] };
    for (const a of h.requested.filter((x) => !h.remediation[x.action])) {
      const cur = r.state.active ?? h;
      if (cur.id !== h.id) break;
      const step = recordAction(r.state, cur, env, a.action, {
        outcome: 'failed',
        failure: 'timeout',
        summary: 'no answer before the deadline',
        manualSteps: [],
        changes: []
      });
      r = { state: step.state, intents: [...r.intents, ...step.intents] };
    }
    return r;
  }
  const expected = h.phase === 'diagnose' ? CHECKS : VERIFY_CHECKS;
  const have = h.phase === 'diagnose' ? h.diagnosis : h.verification;
  const missing = Object.fromEntries(expected.filter((c) => !have[c]).map((c) => [c, silent]));
  return recordChecks(state, h, env, h.phase, missing, true);
}

function dispatch(state: TargetState, input: Input, env: Env): Reaction {
  if (input.kind === 'requested') return requested(state, input, env);
  const h = state.active;
  if (!h) return { state, intents: [] };
  switch (input.kind) {
    case 'tick':
      return timeout(state, h, env);
    case 'diagnosis': {
      const d = input.data;
      if (d.healingId !== h.id || d.phase !== h.phase) return { state, intents: [] };
      return recordChecks(state, h, env, d.phase, {
        [d.check]: { verdict: d.verdict, summary: d.summary, recommendation: d.recommendation }
      });
    }
    case 'check-lost': {
      if (input.healingId !== h.id || input.phase !== h.phase) return { state, intents: [] };
      const lost: CheckResult = { verdict: 'inconclusive', summary: input.reason };
      return recordChecks(state, h, env, input.phase, Object.fromEntries(input.checks.map((c) => [c, lost])));
    }
    case 'remediation': {
      const d = input.data;
      if (d.healingId !== h.id || h.phase !== 'remediate') return { state, intents: [] };
      return recordAction(state, h, env, d.action, {
        outcome: d.outcome,
        failure: d.failure,
        summary: d.summary,
        manualSteps: d.manualSteps,
        changes: d.changes
      });
    }
    case 'action-lost':
      if (input.healingId !== h.id || h.phase !== 'remediate') return { state, intents: [] };
      return recordAction(state, h, env, input.action, {
        outcome: 'failed',
        failure: 'timeout',
        summary: input.reason,
        manualSteps: [],
        changes: []
      });
  }
}

/**
 * Reacts to one input. An input already handled (same key) re-emits what it emitted the first time and changes
 * nothing, so a redelivery after a failed publish is safe.
 *
 * @example
 * const { state, intents } = react(undefined, { kind: 'requested', key: 'k', time, data }, env);
 */
export function react(current: TargetState | undefined, input: Input, env: Env, target?: Target): Reaction {
  const state =
    current ??
    emptyState(target ?? (input.kind === 'requested' ? input.data.target : { namespace: 'unknown', service: 'unknown' }));
  if (input.kind !== 'tick') {
    const seen = state.outbox.find(([k]) => k === input.key);
    if (seen) return { state, intents: seen[1] };
  }
  const r = announceAbsorbed(announceJoins(dispatch(state, input, env), env), env);
  if (input.kind === 'tick' || (r.intents.length === 0 && r.state === state)) return r;
  return {
    state: { ...r.state, outbox: [...r.state.outbox, [input.key, r.intents] as [string, Intent[]]].slice(-MAX_OUTBOX) },
    intents: r.intents
  };
}

export const decide = (s: TargetState | undefined, i: Input, e: Env): Intent[] => react(s, i, e).intents;
export const evolve = (s: TargetState | undefined, i: Input, e: Env): TargetState => react(s, i, e).state;
