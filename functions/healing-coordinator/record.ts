import { Events } from '../../shared/events/catalog.js';
import type { Intent } from '../../shared/events/define.js';
import { CHECKS, VERIFY_CHECKS, type CheckName } from '../../shared/events/schemas.js';
import { iso, progress } from './emit.js';
import { said } from './outcomes.js';
import type { CheckResult } from './plan.js';
import type { Healing, RemediationResult, TargetState } from './state.js';

/*
 * Phase recording: what the answers of a phase do to the healing, before anything is decided. Each answer is kept
 * once (a redelivered or late answer changes nothing) and told as healing.progress; the saga decides what happens
 * once a phase has every answer.
 */

/** The healing with the new answers, the progress to tell, and whether the phase now has every answer. */
export interface Recorded {
  healing: Healing;
  intents: Intent[];
  complete: boolean;
}

/** The checks a phase waits for. */
export const expectedChecks = (phase: 'diagnose' | 'verify'): readonly CheckName[] =>
  phase === 'diagnose' ? CHECKS : VERIFY_CHECKS;

/**
 * Records check results of the current phase; undefined when none is new (and `force` is off: a deadline records
 * even then, to close the phase).
 */
export function recordChecks(
  h: Healing,
  phase: 'diagnose' | 'verify',
  results: Partial<Record<CheckName, CheckResult>>,
  force = false
): Recorded | undefined {
  const key = phase === 'diagnose' ? 'diagnosis' : 'verification';
  const expected = expectedChecks(phase);
  const fresh = Object.entries(results).filter(
    ([c]) => h[key][c as CheckName] === undefined && expected.includes(c as CheckName)
  );
  if (fresh.length === 0 && !force) return undefined;
  const healing: Healing = { ...h, [key]: { ...h[key], ...Object.fromEntries(fresh) } };
  const done = Object.keys(healing[key]).length;
  const intents = fresh.map(([c, r]) =>
    progress(healing, phase, `${c}: ${r!.summary}`, done, expected.length, { check: c, verdict: r!.verdict })
  );
  return { healing, intents, complete: done >= expected.length };
}

/** Records one remediation's result; undefined when it was not requested or already answered. */
export function recordAction(
  h: Healing,
  action: Healing['requested'][number]['action'],
  result: RemediationResult
): Recorded | undefined {
  if (!h.requested.some((a) => a.action === action) || h.remediation[action]) return undefined;
  const healing: Healing = { ...h, remediation: { ...h.remediation, [action]: result } };
  const done = Object.keys(healing.remediation).length;
  const intents = [
    progress(healing, 'remediate', said(action, result), done, h.requested.length, {
      action,
      outcome: result.outcome
    })
  ];
  return { healing, intents, complete: done >= h.requested.length };
}

/** What silence means at a deadline: every check that did not answer is inconclusive. */
export function silentChecks(h: Healing, phase: 'diagnose' | 'verify'): Partial<Record<CheckName, CheckResult>> {
  const have = phase === 'diagnose' ? h.diagnosis : h.verification;
  const silent: CheckResult = { verdict: 'inconclusive', summary: 'no answer before the deadline' };
  return Object.fromEntries(
    expectedChecks(phase)
      .filter((c) => !have[c])
      .map((c) => [c, silent])
  );
}

/**
 * Moves a healing to verification: the verify checks asked (with `attempt` when this is not the first verify of the
 * healing: the checks take each signed request once per healing, phase and attempt) and the step told.
 */
export function toVerify(
  state: TargetState,
  h: Healing,
  now: Date,
  timeoutMs: number,
  message: string,
  attempt?: number
): { state: TargetState; intents: Intent[] } {
  const next: Healing = { ...h, phase: 'verify', deadline: iso(now, timeoutMs) };
  return {
    state: { ...state, active: next },
    intents: [
      Events.VerificationRequested.intent({
        healingId: h.id,
        target: h.target,
        phase: 'verify',
        checks: [...VERIFY_CHECKS],
        deadline: next.deadline,
        ...(attempt ? { attempt } : {})
      }),
      progress(next, 'verify', message, 0, VERIFY_CHECKS.length)
    ]
  };
}
