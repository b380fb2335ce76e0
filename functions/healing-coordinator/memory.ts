import { CHECKS, type Action, type CheckName, type ReasonCode } from '../../shared/events/schemas.js';
import type { CheckResult, PlannedAction } from './plan.js';
import { MAX_ACTIONS, type ActionRecord, type Healing, type TargetState } from './state.js';

/*
 * Memory of what was done to a target (DESIGN §5): every action a healing asked for, the fault it was asked for, and
 * whether it healed. An action that did not heal a fault is not planned again for that fault within the window; the
 * same records are what the budget counts. Pure, and plain JSON in the target's state.
 */

/** Checks whose verdicts drift with time on their own (Warning events pile up): never part of a fingerprint. */
const DRIFTING: ReadonlySet<CheckName> = new Set(['events']);

/**
 * The fault as the checks saw it: every check that found a problem, with what it saw (its symptom: the crash
 * class, the log patterns, the dependency that is down), in the order of CHECKS. Counts, pod names and times are left
 * out, so the same fault gives the same fingerprint from one run to the next.
 *
 * @example
 * fingerprintOf({ 'pod-status': { verdict: 'problem', summary: '…', symptom: 'crashing' } }); // → 'pod-status:crashing'
 */
export function fingerprintOf(results: Readonly<Partial<Record<CheckName, CheckResult>>>): string {
  const parts = CHECKS.filter((c) => !DRIFTING.has(c) && results[c]?.verdict === 'problem').map(
    (c) => `${c}:${results[c]!.symptom ?? 'problem'}`
  );
  return parts.join('|') || 'no-problem';
}

/**
 * What a healing's end teaches: one record per action it asked for. An action that ran (applied, or a noop because
 * the state had changed) healed when the run completed, and did not heal when verification found the target still
 * unhealthy.
 */
export function recordsOf(h: Healing, at: string, ending: { completed: boolean; code?: ReasonCode }): ActionRecord[] {
  return h.requested.flatMap(({ action }) => {
    const r = h.remediation[action];
    if (!r) return [];
    const ran = r.outcome === 'applied' || r.outcome === 'noop';
    const result: ActionRecord['result'] = !ran
      ? 'other'
      : ending.completed
        ? 'healed'
        : ending.code === 'verify_failed' || (ending.code === 'rolled_back' && action !== 'rollback')
          ? 'not_healed'
          : 'other';
    return [
      { action, fingerprint: h.fingerprint ?? '', healingId: h.id, at, outcome: r.outcome, result, summary: r.summary }
    ];
  });
}

/** The records kept: the newest MAX_ACTIONS (more than a window can hold with any sane budget). */
export function remember(existing: readonly ActionRecord[] | undefined, added: readonly ActionRecord[]): ActionRecord[] {
  return [...(existing ?? []), ...added].slice(-MAX_ACTIONS);
}

const inWindow = (r: ActionRecord, now: Date, windowMs: number): boolean =>
  now.getTime() - new Date(r.at).getTime() < windowMs;

/** The last time `action` did not heal this same fault within the window, if it did not. */
export function failedBefore(
  state: TargetState,
  action: Action,
  fingerprint: string,
  now: Date,
  windowMs: number
): ActionRecord | undefined {
  return [...(state.actions ?? [])]
    .reverse()
    .find(
      (r) => r.action === action && r.fingerprint === fingerprint && r.result === 'not_healed' && inWindow(r, now, windowMs)
    );
}

/** Splits a plan into the actions it may take and those that already failed for this fault (with when). */
export function withoutRepeats(
  state: TargetState,
  actions: readonly PlannedAction[],
  fingerprint: string,
  now: Date,
  windowMs: number
): { allowed: PlannedAction[]; repeats: Array<{ planned: PlannedAction; before: ActionRecord }> } {
  const allowed: PlannedAction[] = [];
  const repeats: Array<{ planned: PlannedAction; before: ActionRecord }> = [];
  for (const planned of actions) {
    const before = failedBefore(state, planned.action, fingerprint, now, windowMs);
    if (before) repeats.push({ planned, before });
    else allowed.push(planned);
  }
  return { allowed, repeats };
}

/**
 * When the oldest of the records that count would leave the window so that `limit` is no longer reached:
 * the time automatic action resumes.
 *
 * @example
 * resumeTime(['2026-11-27T10:00:00Z', '2026-11-27T10:02:00Z', '2026-11-27T10:04:00Z'], 3, 15 * 60_000);
 * // → 2026-11-27T10:15:00.000Z
 */
export function resumeTime(times: readonly string[], limit: number, windowMs: number): Date {
  const sorted = times.map((t) => new Date(t).getTime()).sort((a, b) => a - b);
  // With n records in the window, n - limit + 1 of them must leave it before one more fits.
  const leaving = sorted[Math.max(0, sorted.length - limit)] ?? sorted[0] ?? 0;
  return new Date(leaving + windowMs);
}

/** The mutating actions applied to the target within the window: what the budget counts. */
export function spent(state: TargetState, now: Date, windowMs: number, mutating: ReadonlySet<Action>): ActionRecord[] {
  return (state.actions ?? []).filter(
    (r) => r.outcome === 'applied' && mutating.has(r.action) && inWindow(r, now, windowMs)
  );
}
