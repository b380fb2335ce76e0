import { Events, LIMITS } from '../../shared/events/catalog.js';
import { CHECKS, type CheckName, type Target } from '../../shared/events/schemas.js';
import type { Intent } from '../../shared/events/define.js';
import type { Config } from '../../shared/runtime/config.js';
import { plan, type CheckResult } from './plan.js';
import { emptyState, MAX_OUTBOX, type Healing, type RemediationResult, type TargetState } from './state.js';
import { iso, progress } from './emit.js';
import { absorb, announceAbsorbed, announceJoins, escalate } from './flight.js';
import type { Input } from './input.js';
import { complete, fail, remediationOutcome, verifyOutcome, type Reaction } from './outcomes.js';
import { recordAction, recordChecks, silentChecks, VERIFY_CHECKS, type Recorded } from './record.js';

/*
 * The healing saga's decisions, as a pure reaction: (state, input, env) → (state, intents). No I/O, no clock but
 * env.now. Recording the answers of a phase is record.ts; ending a run is outcomes.ts.
 */

export type { Input, Reaction };

/** The reports a healing keeps the ids of (the first ones); its sessions are all kept. */
const MAX_REPORT_IDS = 100;

export interface Env {
  now: Date;
  healing: Config['healing'];
  dryRun: boolean;
  /** The id of a healing started by this input; deterministic, derived from the input event. */
  healingId: string;
}

function start(state: TargetState, input: Extract<Input, { kind: 'requested' }>, env: Env): Reaction {
  const { target, sessionIds, reportIds, category, message } = input.data;
  const h: Healing = {
    id: env.healingId,
    target,
    reason: `${category}${message ? `: ${message}` : ''}`.slice(0, LIMITS.text),
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
      // Bounded: a storm of 10,000 reports would otherwise make every state write carry 10,000 ids.
      reportIds:
        h.reportIds.length >= MAX_REPORT_IDS
          ? h.reportIds
          : [...new Set([...h.reportIds, ...reportIds])].slice(0, MAX_REPORT_IDS)
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

/** Decides what a recorded answer leads to: wait for the rest of the phase, or move on once it is complete. */
function next(state: TargetState, r: Recorded | undefined, env: Env, after: (h: Healing) => Reaction): Reaction {
  if (!r) return { state, intents: [] };
  if (!r.complete) return { state: { ...state, active: r.healing }, intents: r.intents };
  const decided = after(r.healing);
  return { state: decided.state, intents: [...r.intents, ...decided.intents] };
}

function checksIn(
  state: TargetState,
  h: Healing,
  env: Env,
  phase: 'diagnose' | 'verify',
  results: Partial<Record<CheckName, CheckResult>>,
  force = false
): Reaction {
  const after = (done: Healing): Reaction =>
    phase === 'diagnose' ? diagnosed(state, done, env) : verified(state, done, env);
  return next(state, recordChecks(h, phase, results, force), env, after);
}

function actionIn(
  state: TargetState,
  h: Healing,
  env: Env,
  action: Healing['requested'][number]['action'],
  result: RemediationResult
): Reaction {
  return next(state, recordAction(h, action, result), env, (done) => remediated(state, done, env));
}

/** A phase deadline passed: silent checks count as inconclusive, silent remediations as failed (`timeout`). */
function timeout(state: TargetState, h: Healing, env: Env): Reaction {
  if (env.now.getTime() < new Date(h.deadline).getTime()) return { state, intents: [] };
  if (h.phase !== 'remediate') return checksIn(state, h, env, h.phase, silentChecks(h, h.phase), true);
  let r: Reaction = { state, intents: [] };
  for (const a of h.requested.filter((x) => !h.remediation[x.action])) {
    const cur = r.state.active;
    if (cur?.id !== h.id) break;
    const step = actionIn(r.state, cur, env, a.action, {
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
      return checksIn(state, h, env, d.phase, {
        [d.check]: { verdict: d.verdict, summary: d.summary, recommendation: d.recommendation }
      });
    }
    case 'check-lost': {
      if (input.healingId !== h.id || input.phase !== h.phase) return { state, intents: [] };
      const lost: CheckResult = { verdict: 'inconclusive', summary: input.reason };
      return checksIn(state, h, env, input.phase, Object.fromEntries(input.checks.map((c) => [c, lost])));
    }
    case 'remediation': {
      const d = input.data;
      if (d.healingId !== h.id || h.phase !== 'remediate') return { state, intents: [] };
      return actionIn(state, h, env, d.action, {
        outcome: d.outcome,
        failure: d.failure,
        summary: d.summary,
        manualSteps: d.manualSteps,
        changes: d.changes
      });
    }
    case 'action-lost':
      if (input.healingId !== h.id || h.phase !== 'remediate') return { state, intents: [] };
      return actionIn(state, h, env, input.action, {
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
