import { Events } from '../../shared/events/catalog.js';
import { VERIFY_CHECKS, type CheckName, type Target } from '../../shared/events/schemas.js';
import type { Intent } from '../../shared/events/define.js';
import type { Config } from '../../shared/runtime/config.js';
import { overBudget } from './budget.js';
import { awaitDependency, dependencyEnded, dependencyRequested, dependencyTimedOut } from './dependency.js';
import { iso, progress } from './emit.js';
import { announceAbsorbed, announceJoins, requested } from './flight.js';
import { start } from './start.js';
import type { Input } from './input.js';
import { fingerprintOf, withoutRepeats } from './memory.js';
import { complete, dependencyActions, fail, remediationOutcome, verifyOutcome, type Reaction } from './outcomes.js';
import { plan, type CheckResult, type PlannedAction } from './plan.js';
import { recordAction, recordChecks, silentChecks, toVerify, type Recorded } from './record.js';
import { suppressed } from './repeat.js';
import { approvalDecided, approvalExpired, askApproval, awaiting } from './approval.js';
import { rollbackAnswered, rolledBack, startRollback, worse } from './rollback.js';
import { emptyState, MAX_OUTBOX, type Healing, type RemediationResult, type TargetState } from './state.js';

/*
 * The healing saga's decisions, as a pure reaction: (state, input, env) → (state, intents, steps). No I/O, no clock
 * but env.now. Recording the answers of a phase is record.ts; ending a run is outcomes.ts; the budget, the memory of
 * failed fixes and a dependency's healing are budget.ts, memory.ts/repeat.ts and dependency.ts.
 */

export type { Input, Reaction };

export interface Env {
  now: Date;
  healing: Config['healing'];
  dryRun: boolean;
  /** The id of a healing started by this input; deterministic, derived from the input event. */
  healingId: string;
}

/** Asks for the planned remediations, each numbered (`attempt`) so a signature over the request covers it. */
function remediate(state: TargetState, h: Healing, env: Env, actions: PlannedAction[], fingerprint: string): Reaction {
  const first = h.attempts ?? 0;
  const next: Healing = {
    ...h,
    phase: 'remediate',
    deadline: iso(env.now, env.healing.remediateTimeoutMs),
    requested: actions,
    fingerprint,
    attempts: first + actions.length
  };
  return {
    state: { ...state, active: next },
    intents: [
      progress(
        next,
        'remediate',
        `planned: ${actions.map((a) => `${a.action} (${a.reason})`).join('; ')}`,
        0,
        actions.length
      ),
      ...actions.map((a, i) =>
        Events.RemediationRequested[a.action].intent({
          healingId: h.id,
          target: h.target,
          params: a.params,
          dryRun: env.dryRun,
          reason: a.reason,
          attempt: first + i + 1
        })
      )
    ]
  };
}

function diagnosed(state: TargetState, h: Healing, env: Env): Reaction {
  const p = plan(h.diagnosis);
  if (p.kind === 'healthy') {
    const dep = h.dependency?.ended;
    const summary = dep
      ? `${h.target.service} is healthy again: its dependency ${dep.target.namespace}/${dep.target.service} was down and healing ${dep.healingId} healed it (${dep.summary}); no restart of ${h.target.service} was needed`
      : p.summary;
    return complete(state, h, env, summary, dependencyActions(h));
  }
  // Its dependency just came back: a target still starting (a status not caught up yet) is waited for, not failed.
  if (p.kind === 'manual' && h.dependency?.ended) return remediated(state, h, env);
  if (p.kind === 'manual') return fail(state, h, env, { ...p, kind: 'failed' });
  if (p.kind === 'dependency') return awaitDependency(state, h, env, p.down);
  const fingerprint = fingerprintOf(h.diagnosis);
  const { allowed, repeats } = withoutRepeats(state, p.actions, fingerprint, env.now, env.healing.windowMs);
  // The primary action failed for this very fault before: do not repeat it (and nothing alongside it).
  if (repeats.length > 0 && (allowed.length === 0 || repeats[0]!.planned === p.actions[0]))
    return fail(state, h, env, suppressed(state, h, env, repeats[0]!));
  const escalation = overBudget(state, h, env, allowed);
  if (escalation) return fail(state, h, env, escalation);
  return remediate(state, h, env, allowed, fingerprint);
}

function remediated(state: TargetState, h: Healing, env: Env): Reaction {
  const waiting = awaiting(h);
  if (waiting) return askApproval(state, h, env, ...waiting);
  const r = remediationOutcome(h);
  if (r.kind === 'failed') return fail(state, h, env, r);
  return toVerify(state, h, env.now, env.healing.verifyTimeoutMs, `verifying ${VERIFY_CHECKS.join(' and ')}`);
}

function verified(state: TargetState, h: Healing, env: Env): Reaction {
  if (h.rollback?.result) return rolledBack(state, h, env);
  const made = worse(h);
  if (made) return startRollback(state, h, env, made);
  const v = verifyOutcome(h);
  return v.kind === 'healthy' ? complete(state, h, env, v.summary, v.actions) : fail(state, h, env, v);
}

/** Decides what a recorded answer leads to: wait for the rest of the phase, or move on once it is complete. */
function next(state: TargetState, r: Recorded | undefined, after: (h: Healing) => Reaction): Reaction {
  if (!r) return { state, intents: [] };
  if (!r.complete) return { state: { ...state, active: r.healing }, intents: r.intents };
  const decided = after(r.healing);
  return { ...decided, intents: [...r.intents, ...decided.intents] };
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
  return next(state, recordChecks(h, phase, results, force), after);
}

function actionIn(
  state: TargetState,
  h: Healing,
  env: Env,
  action: Healing['requested'][number]['action'],
  result: RemediationResult
): Reaction {
  return next(state, recordAction(h, action, result), (done) => remediated(state, done, env));
}

const silent = (summary: string): RemediationResult => ({
  outcome: 'failed',
  failure: 'timeout',
  summary,
  manualSteps: [],
  changes: []
});

/** A phase deadline passed: silent checks count as inconclusive, silent remediations as failed (`timeout`). */
function timeout(state: TargetState, h: Healing, env: Env): Reaction {
  if (env.now.getTime() < new Date(h.deadline).getTime()) return { state, intents: [] };
  if (h.phase === 'dependency') return dependencyTimedOut(state, h, env);
  if (h.phase === 'approval') return approvalExpired(state, h, env);
  if (h.phase === 'rollback') return rollbackAnswered(state, h, env, silent('no answer before the deadline'));
  if (h.phase !== 'remediate') return checksIn(state, h, env, h.phase, silentChecks(h, h.phase), true);
  let r: Reaction = { state, intents: [] };
  for (const a of h.requested.filter((x) => !h.remediation[x.action])) {
    const cur = r.state.active;
    if (cur?.id !== h.id) break;
    const step = actionIn(r.state, cur, env, a.action, silent('no answer before the deadline'));
    r = { ...step, intents: [...r.intents, ...step.intents], steps: [...(r.steps ?? []), ...(step.steps ?? [])] };
  }
  return r;
}

const resultOf = (d: Extract<Input, { kind: 'diagnosis' }>['data']): CheckResult => ({
  verdict: d.verdict,
  summary: d.summary,
  recommendation: d.recommendation,
  ...(d.symptom !== undefined ? { symptom: d.symptom } : {}),
  ...(d.commands ? { commands: d.commands } : {}),
  ...(d.dependencies ? { dependencies: d.dependencies } : {}),
  ...(d.observed ? { observed: d.observed } : {})
});

function dispatch(state: TargetState, input: Input, env: Env): Reaction {
  if (input.kind === 'requested') return requested(state, input, env);
  if (input.kind === 'dependency-requested')
    return dependencyRequested(state, input, env, (extra) =>
      start(state, { reason: input.reason, sessionIds: input.sessionIds, reportIds: [], trace: input.trace }, env, extra)
    );
  const h = state.active;
  if (!h) return { state, intents: [] };
  switch (input.kind) {
    case 'tick':
      return timeout(state, h, env);
    case 'dependency-ended':
      return input.healingId === h.id ? dependencyEnded(state, h, input.end, env) : { state, intents: [] };
    case 'diagnosis': {
      const d = input.data;
      if (d.healingId !== h.id || d.phase !== h.phase) return { state, intents: [] };
      return checksIn(state, h, env, d.phase, { [d.check]: resultOf(d) });
    }
    case 'check-lost': {
      if (input.healingId !== h.id || input.phase !== h.phase) return { state, intents: [] };
      const lost: CheckResult = { verdict: 'inconclusive', summary: input.reason };
      return checksIn(state, h, env, input.phase, Object.fromEntries(input.checks.map((c) => [c, lost])));
    }
    case 'remediation': {
      const d = input.data;
      const result: RemediationResult = {
        outcome: d.outcome,
        failure: d.failure,
        summary: d.summary,
        manualSteps: d.manualSteps,
        changes: d.changes,
        ...(d.approval ? { approval: d.approval } : {}),
        ...(d.record ? { record: d.record } : {})
      };
      if (d.healingId === h.id && h.phase === 'rollback' && d.action === 'rollback')
        return rollbackAnswered(state, h, env, result);
      if (d.healingId !== h.id || h.phase !== 'remediate') return { state, intents: [] };
      return actionIn(state, h, env, d.action, result);
    }
    case 'approval':
      return input.data.healingId === h.id ? approvalDecided(state, h, env, input.data) : { state, intents: [] };
    case 'action-lost':
      if (input.healingId !== h.id || h.phase !== 'remediate') return { state, intents: [] };
      return actionIn(state, h, env, input.action, silent(input.reason));
  }
}

/**
 * Reacts to one input. An input already handled (same key) re-emits what it emitted the first time and changes
 * nothing, so a redelivery after a failed publish is safe. `steps` are inputs for other targets' sagas (a
 * dependency's healing asked for, or told it ended), which the runner applies as their own transactions.
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
  if (input.kind === 'tick' || (r.intents.length === 0 && r.state === state && !r.steps?.length)) return r;
  return {
    ...r,
    state: { ...r.state, outbox: [...r.state.outbox, [input.key, r.intents] as [string, Intent[]]].slice(-MAX_OUTBOX) }
  };
}
