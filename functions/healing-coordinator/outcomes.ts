import { Events, LIMITS } from '../../shared/events/catalog.js';
import type { Intent } from '../../shared/events/define.js';
import type { Change, ReasonCode, RootCause, Target } from '../../shared/events/schemas.js';
import { iso } from './emit.js';
import type { Input } from './input.js';
import { recordsOf, remember } from './memory.js';
import { ALONGSIDE, findingsOf, type CheckResult } from './plan.js';
import { describeRootCause, rootCauseOf, rootCauseSteps } from './rootcause.js';
import { MAX_HISTORY, type Ended, type Healing, type RemediationResult, type TargetState } from './state.js';

/*
 * How a healing run ends: judging the remediation and verification results, and the terminal events, with the run
 * moved to the target's history, what it did remembered, and the healings that waited for it told.
 */

/** An input for another target's saga, applied by the runner as its own transaction (a dependency's healing). */
export interface Step {
  target: Target;
  input: Input;
}

/** A decision: the target's next state, what to publish, and the steps for other targets. */
export interface Reaction {
  state: TargetState;
  intents: Intent[];
  steps?: Step[];
}

/** When the decision is made: the input's time. */
export interface Ending {
  now: Date;
}

export type Failed = {
  kind: 'failed';
  code: ReasonCode;
  reason: string;
  manualSteps: string[];
  /** An escalation or a suppressed repeat: when automatic healing of the target resumes. */
  resumesAt?: string;
  /** A fix that made things worse: whether it was undone, and what the rollback changed (DESIGN §12). */
  rolledBack?: boolean;
  undone?: Change[];
};
export type RemediationVerdict = { kind: 'verify' } | Failed;
export type VerifyVerdict = { kind: 'healthy'; summary: string; actions: string[] } | Failed;

/** The reason code of a remediation result that blocks the healing. */
function codeOf(r: RemediationResult): ReasonCode {
  if (r.outcome === 'denied') return 'denied';
  if (r.outcome === 'manual') return 'manual';
  if (r.failure === 'timeout' || r.failure === 'not_found') return r.failure;
  // Our own RBAC refused: a denial a human resolves (a RoleBinding), like the guardrails'.
  if (r.failure === 'forbidden') return 'denied';
  return 'manual';
}

/**
 * `scale_up denied: demo/api is not opted in`: an action, its outcome and its summary, without saying the outcome
 * twice when the summary starts with it ("denied: …").
 */
export function said(action: string, r: Pick<RemediationResult, 'outcome' | 'summary'>): string {
  const prefix = `${r.outcome}: `;
  return `${action} ${r.outcome}: ${r.summary.startsWith(prefix) ? r.summary.slice(prefix.length) : r.summary}`;
}

/**
 * After every requested remediation answered: anything that needs a human (manual, denied, failed) ends the run with
 * its steps; otherwise (applied, or noop because the state had already changed) the fix is verified.
 */
export function remediationOutcome(h: Healing): RemediationVerdict {
  const results = Object.entries(h.remediation);
  const blocking = results.filter(([, r]) => r!.outcome === 'manual' || r!.outcome === 'denied' || r!.outcome === 'failed');
  if (blocking.length === 0) return { kind: 'verify' };
  const applied = results.filter(([, r]) => r!.outcome === 'applied').map(([a]) => a);
  const reason = blocking.map(([a, r]) => said(a, r!)).join('; ');
  const steps = blocking.flatMap(([, r]) => r!.manualSteps);
  return {
    kind: 'failed',
    code: codeOf(blocking[0]![1]!),
    reason: `${reason}${applied.length ? ` (also applied: ${applied.join(', ')})` : ''}`,
    manualSteps: steps.length ? steps : [`kubectl describe service -n ${h.target.namespace} ${h.target.service}`]
  };
}

/** What a check recommends that a human does (a report): its reason, and for an OOM the command with the limit. */
function recommendedSteps(h: Healing, checks: Partial<Record<string, CheckResult>>): string[] {
  return Object.entries(checks).flatMap(([c, r]) => {
    const rec = r?.recommendation;
    if (!rec || r.verdict !== 'problem' || !rec.action.startsWith('report_')) return [];
    const p = rec.params as { container?: string; suggestedLimit?: string; deployment?: string };
    const oom =
      rec.action === 'report_oom' && p.container && p.suggestedLimit && p.deployment
        ? [
            `kubectl set resources deployment/${p.deployment} -n ${h.target.namespace} -c ${p.container} --limits=memory=${p.suggestedLimit}`
          ]
        : [];
    return [`${c} recommends ${rec.action}: ${rec.reason}`, ...oom];
  });
}

/** What a dependency's healing did, in words, for the outcome of the healing that waited for it. */
function dependencyDone(h: Healing): string | undefined {
  const end = h.dependency?.ended;
  if (end?.status !== 'completed') return undefined;
  const t = `${end.target.namespace}/${end.target.service}`;
  return `its dependency ${t} was down and healing ${end.healingId} healed it (${end.summary})`;
}

/** The dependency's actions, named with their target: `scale_up (demo/postgres)`. */
export const dependencyActions = (h: Healing): string[] =>
  h.dependency?.ended?.status === 'completed'
    ? h.dependency.ended.actions.map((a) => `${a} (${h.dependency!.target.namespace}/${h.dependency!.target.service})`)
    : [];

/** After verification: healthy only if every verify check says so. */
export function verifyOutcome(h: Healing): VerifyVerdict {
  const applied = Object.entries(h.remediation).filter(([, r]) => r!.outcome === 'applied');
  const actions = applied.map(([a]) => a);
  const checks = Object.entries(h.verification);
  const unhealthy = checks.filter(([, r]) => r!.verdict !== 'healthy');
  const did = applied.length ? applied.map(([, r]) => r!.summary).join('; ') : 'no change was needed';
  const verified = checks.map(([, r]) => r!.summary).join('; ');
  if (unhealthy.length === 0) {
    const serving = h.diagnosis['pod-status'];
    const dep = dependencyDone(h);
    // Cleaning up pods left over is not what healed a service that was serving all along: say so.
    const summary =
      actions.length > 0 && actions.every((a) => a === ALONGSIDE) && serving?.verdict === 'healthy'
        ? `${h.target.service} was already serving (${serving.summary}); cleaned up what was left over: ${did}; verified: ${verified}`
        : dep
          ? `${h.target.service} is healthy again: ${dep}; ${actions.length ? `then ${did}` : `no restart of ${h.target.service} was needed`}; verified: ${verified}`
          : `${h.target.service} is healthy again: ${did}; verified: ${verified}`;
    return { kind: 'healthy', actions: [...actions, ...dependencyActions(h)], summary };
  }
  return {
    kind: 'failed',
    code: 'verify_failed',
    reason: `still unhealthy after ${actions.length ? actions.join(', ') : 'remediation'}: ${unhealthy.map(([c, r]) => `${c}: ${r!.summary}`).join('; ')}`,
    manualSteps: [
      `Cortex applied: ${did}. ${h.target.namespace}/${h.target.service} did not recover.`,
      ...recommendedSteps(h, h.verification),
      ...unhealthy.flatMap(([c, r]) => [`${c}: ${r!.summary}`, ...(r!.commands ?? [])])
    ]
  };
}

/** Moves the run to history, remembers what it did, and tells the healings that waited for it. */
function end(
  state: TargetState,
  h: Healing,
  env: Ending,
  ended: Omit<Ended, 'healingId' | 'startedAt' | 'endedAt'>
): { state: TargetState; steps: Step[] } {
  const at = iso(env.now);
  const entry: Ended = { healingId: h.id, startedAt: h.startedAt, endedAt: at, ...ended };
  const records = recordsOf(h, at, { completed: ended.status === 'completed', code: ended.reasonCode });
  const steps: Step[] = (h.parents ?? []).map((p) => ({
    target: p.target,
    input: {
      kind: 'dependency-ended',
      key: `${h.id}#ended>${p.healingId}`,
      healingId: p.healingId,
      end: {
        healingId: h.id,
        target: h.target,
        status: ended.status,
        reasonCode: ended.reasonCode,
        summary: ended.summary,
        actions: ended.actions ?? [],
        manualSteps: ended.manualSteps
      }
    }
  }));
  return {
    state: {
      ...state,
      active: undefined,
      history: [...state.history, entry].slice(-MAX_HISTORY),
      actions: remember(state.actions, records)
    },
    steps
  };
}

/** Ends the run healthy: healing.completed, with its root cause when something was wrong. */
export function complete(state: TargetState, h: Healing, env: Ending, summary: string, actions: string[]): Reaction {
  const durationMs = env.now.getTime() - new Date(h.startedAt).getTime();
  const rootCause = rootCauseOf(h);
  const transient = actions.length === 0 && !h.dependency?.ended;
  const done = end(state, h, env, { status: 'completed', summary, manualSteps: [], actions, transient, rootCause });
  return {
    ...done,
    intents: [
      Events.HealingCompleted.intent({
        healingId: h.id,
        target: h.target,
        actions,
        durationMs,
        summary: summary.slice(0, LIMITS.summary),
        sessionIds: h.sessionIds,
        ...(transient ? {} : { rootCause })
      })
    ]
  };
}

/**
 * Ends the run without a fix: healing.failed, with its findings, the root cause (named in the reason, its commands
 * first among the manual steps) and, for an escalation or a suppressed repeat, when automatic healing resumes.
 */
export function fail(
  state: TargetState,
  h: Healing,
  env: Ending,
  f: Failed,
  rootCause: RootCause = rootCauseOf(h)
): Reaction {
  const { code: reasonCode, resumesAt } = f;
  const findings = findingsOf({ ...h.diagnosis, ...prefixed(h.verification) }).slice(0, LIMITS.steps);
  const cause = describeRootCause(rootCause);
  const reason = (f.reason.includes(cause) ? f.reason : `${f.reason}. Root cause: ${cause}`).slice(0, LIMITS.summary);
  const manualSteps = [...new Set([...f.manualSteps, ...rootCauseSteps(h, rootCause)])]
    .slice(0, LIMITS.steps)
    .map((s) => s.slice(0, LIMITS.summary));
  const status = reasonCode === 'escalated' ? 'escalated' : 'failed';
  const done = end(state, h, env, {
    status,
    reasonCode,
    summary: reason,
    manualSteps,
    rootCause,
    findings,
    ...(resumesAt ? { resumesAt } : {})
  });
  return {
    ...done,
    intents: [
      Events.HealingFailed.intent({
        healingId: h.id,
        target: h.target,
        reasonCode,
        reason,
        findings,
        manualSteps,
        sessionIds: h.sessionIds,
        rootCause,
        ...(resumesAt ? { resumesAt } : {}),
        ...(f.rolledBack !== undefined ? { rolledBack: f.rolledBack, undone: (f.undone ?? []).slice(0, LIMITS.items) } : {})
      })
    ]
  };
}

/** Verification results keyed apart from diagnosis results in findings. */
function prefixed(v: Healing['verification']): Record<string, CheckResult> {
  return Object.fromEntries(Object.entries(v).map(([k, r]) => [`verify:${k}`, r!]));
}
