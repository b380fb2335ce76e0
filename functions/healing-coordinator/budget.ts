import { iso } from './emit.js';
import { resumeTime, spent } from './memory.js';
import type { Failed } from './outcomes.js';
import { ADVISORY, MUTATING, stepsOf, type CheckResult, type PlannedAction } from './plan.js';
import type { Env } from './saga.js';
import type { ActionRecord, Healing, TargetState } from './state.js';

/*
 * The budget counts harm, not noise (DESIGN §5): at most N mutating actions per target per window. A healing that
 * would take one more is escalated to a human, with what keeps happening, the findings, and when automatic healing
 * resumes. Healings that find the target healthy spend nothing (flight.ts limits them on their own). Pure.
 */

const clock = (at: string): string => `${at.slice(11, 19)} UTC`;
const minutes = (ms: number): number => Math.round(ms / 60_000);

/** `scale_up at 10:00:01 UTC (healed it), restart_pods at 10:00:09 UTC (did not heal it)`. */
export function history(records: readonly ActionRecord[]): string {
  const what = (r: ActionRecord): string =>
    r.result === 'healed' ? 'healed it' : r.result === 'not_healed' ? 'did not heal it' : r.outcome;
  return records.map((r) => `${r.action} at ${clock(r.at)} (${what(r)})`).join(', ');
}

/**
 * An escalation when the planned mutating actions would take the target past its budget, else undefined.
 *
 * @example
 * overBudget(state, healing, env, [{ action: 'scale_up', params: {}, reason: '…' }]);
 * // → { kind: 'failed', code: 'escalated', reason: 'demo/mcp-demo needs a fix again and again: …', resumesAt: '…' }
 */
export function overBudget(state: TargetState, h: Healing, env: Env, planned: readonly PlannedAction[]): Failed | undefined {
  const wanted = planned.filter((p) => MUTATING.has(p.action));
  if (wanted.length === 0) return undefined;
  const { budget, windowMs } = env.healing;
  const used = spent(state, env.now, windowMs, MUTATING);
  if (used.length + wanted.length <= budget) return undefined;
  const t = `${h.target.namespace}/${h.target.service}`;
  // The oldest actions must leave the window until the planned ones fit.
  const resumesAt = iso(
    resumeTime(
      used.map((r) => r.at),
      Math.max(1, budget - wanted.length + 1),
      windowMs
    )
  );
  const problems = (Object.entries(h.diagnosis) as Array<[string, CheckResult]>).filter(
    ([c, r]) => r.verdict === 'problem' && !ADVISORY.has(c as never)
  );
  const now = problems.map(([c, r]) => `${c}: ${r.summary}`).join('; ') || 'the checks find it broken again';
  const kept = history(used);
  return {
    kind: 'failed',
    code: 'escalated',
    reason: `${t} needs a fix again and again: Cortex changed it ${used.length} times in the last ${minutes(windowMs)} min (${kept}), its budget of ${budget}, and it would need ${wanted.map((w) => w.action).join(' and ')} again: ${now}. Escalated to a human; automatic healing resumes at ${resumesAt}`,
    resumesAt,
    manualSteps: [
      `What keeps happening to ${t}: ${kept}; now: ${now}.`,
      ...stepsOf(problems),
      `Find what keeps undoing the fix: kubectl get events -n ${h.target.namespace} --sort-by=.lastTimestamp`,
      `Cortex heals ${t} automatically again from ${resumesAt} (or raise CORTEX_HEALING_BUDGET).`
    ]
  };
}
