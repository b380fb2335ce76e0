import { iso } from './emit.js';
import type { Failed } from './outcomes.js';
import type { PlannedAction } from './plan.js';
import type { Env } from './saga.js';
import type { ActionRecord, Healing, TargetState } from './state.js';

/*
 * A fix that did not heal a fault is not repeated for it within the window (DESIGN §5, memory). The healing that
 * would repeat it ends with `repeat_suppressed`: what was tried, when, why it is not repeated, and until when. Pure.
 */

/**
 * The outcome for a planned action that already failed to heal this fault.
 *
 * @example
 * suppressed(state, healing, env, { planned: { action: 'restart_pods', … }, before: record });
 * // → { kind: 'failed', code: 'repeat_suppressed', reason: 'restart_pods was tried at 10:00:05 UTC …', resumesAt: '…' }
 */
export function suppressed(
  state: TargetState,
  h: Healing,
  env: Env,
  repeat: { planned: PlannedAction; before: ActionRecord }
): Failed {
  const { planned, before } = repeat;
  const t = `${h.target.namespace}/${h.target.service}`;
  const resumesAt = iso(new Date(new Date(before.at).getTime() + env.healing.windowMs));
  const earlier = state.history.find((e) => e.healingId === before.healingId);
  const why = earlier?.summary ?? before.summary;
  return {
    kind: 'failed',
    code: 'repeat_suppressed',
    reason: `${planned.action} was tried at ${before.at.slice(11, 19)} UTC by healing ${before.healingId} for this same fault and did not heal it (${why}); Cortex does not repeat it for this fault before ${resumesAt}`,
    resumesAt,
    manualSteps: [
      `Cortex already ran ${planned.action} on ${t} at ${before.at} (${before.summary}); ${t} stayed unhealthy, so it is not run again for the same fault.`,
      ...(earlier?.manualSteps ?? [])
    ]
  };
}
