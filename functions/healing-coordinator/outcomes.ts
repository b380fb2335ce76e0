import { Events, LIMITS } from '../../shared/events/catalog.js';
import type { Intent } from '../../shared/events/define.js';
import type { ReasonCode } from '../../shared/events/schemas.js';
import { iso } from './emit.js';
import { findingsOf, type CheckResult } from './plan.js';
import { MAX_HISTORY, type Ended, type Healing, type RemediationResult, type TargetState } from './state.js';

/*
 * How a healing run ends: judging the remediation and verification results, and the terminal events with the run
 * moved to the target's history.
 */

/** A decision: the target's next state and what to publish. */
export interface Reaction {
  state: TargetState;
  intents: Intent[];
}

/** When the decision is made: the input's time. */
export interface Ending {
  now: Date;
}

export type Failed = { kind: 'failed'; code: ReasonCode; reason: string; manualSteps: string[] };
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
 * After every requested remediation answered: anything that needs a human (manual, denied, failed) ends the run with
 * its steps; otherwise (applied, or noop because the state had already changed) the fix is verified.
 */
export function remediationOutcome(h: Healing): RemediationVerdict {
  const results = Object.entries(h.remediation);
  const blocking = results.filter(([, r]) => r!.outcome === 'manual' || r!.outcome === 'denied' || r!.outcome === 'failed');
  if (blocking.length === 0) return { kind: 'verify' };
  const applied = results.filter(([, r]) => r!.outcome === 'applied').map(([a]) => a);
  const reason = blocking.map(([a, r]) => `${a} ${r!.outcome}: ${r!.summary}`).join('; ');
  const steps = blocking.flatMap(([, r]) => r!.manualSteps);
  return {
    kind: 'failed',
    code: codeOf(blocking[0]![1]!),
    reason: `${reason}${applied.length ? ` (also applied: ${applied.join(', ')})` : ''}`,
    manualSteps: steps.length ? steps : [`Look at ${h.target.namespace}/${h.target.service} by hand: ${reason}`]
  };
}

/** After verification: healthy only if every verify check says so. */
export function verifyOutcome(h: Healing): VerifyVerdict {
  const applied = Object.entries(h.remediation).filter(([, r]) => r!.outcome === 'applied');
  const actions = applied.map(([a]) => a);
  const checks = Object.entries(h.verification);
  const unhealthy = checks.filter(([, r]) => r!.verdict !== 'healthy');
  const did = applied.length ? applied.map(([, r]) => r!.summary).join('; ') : 'no change was needed';
  if (unhealthy.length === 0) {
    return {
      kind: 'healthy',
      actions,
      summary: `${h.target.service} is healthy again: ${did}; verified: ${checks.map(([, r]) => r!.summary).join('; ')}`
    };
  }
  return {
    kind: 'failed',
    code: 'verify_failed',
    reason: `still unhealthy after ${actions.length ? actions.join(', ') : 'remediation'}: ${unhealthy.map(([c, r]) => `${c}: ${r!.summary}`).join('; ')}`,
    manualSteps: [
      `Cortex applied: ${did}. The target did not recover; inspect it by hand:`,
      `kubectl get pods -n ${h.target.namespace} -o wide; kubectl describe deployment -n ${h.target.namespace} ${h.target.service}`,
      `kubectl logs -n ${h.target.namespace} deploy/${h.target.service} --previous --tail=50`
    ]
  };
}

function end(
  state: TargetState,
  h: Healing,
  env: Ending,
  ended: Omit<Ended, 'healingId' | 'startedAt' | 'endedAt'>
): TargetState {
  const entry: Ended = { healingId: h.id, startedAt: h.startedAt, endedAt: iso(env.now), ...ended };
  return { ...state, active: undefined, history: [...state.history, entry].slice(-MAX_HISTORY) };
}

/** Ends the run healthy: healing.completed. */
export function complete(state: TargetState, h: Healing, env: Ending, summary: string, actions: string[]): Reaction {
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

/** Ends the run without a fix: healing.failed, with its findings and manual steps. */
export function fail(state: TargetState, h: Healing, env: Ending, f: Failed): Reaction {
  const { code: reasonCode, reason, manualSteps } = f;
  const findings = findingsOf({ ...h.diagnosis, ...prefixed(h.verification) }).slice(0, LIMITS.steps);
  return {
    state: end(state, h, env, { status: 'failed', reasonCode, summary: reason, manualSteps }),
    intents: [
      Events.HealingFailed.intent({
        healingId: h.id,
        target: h.target,
        reasonCode,
        reason,
        findings,
        manualSteps: manualSteps.slice(0, LIMITS.steps),
        sessionIds: h.sessionIds
      })
    ]
  };
}

/** Verification results keyed apart from diagnosis results in findings. */
function prefixed(v: Healing['verification']): Record<string, CheckResult> {
  return Object.fromEntries(Object.entries(v).map(([k, r]) => [`verify:${k}`, r!]));
}
