import { Events, LIMITS } from '../../shared/events/catalog.js';
import { CHECKS } from '../../shared/events/schemas.js';
import { iso, progress } from './emit.js';
import type { Env, Reaction } from './saga.js';
import type { Healing, TargetState } from './state.js';

/*
 * Opening a healing run: for a report, or for a dependency another healing waits for (then with its parents and the
 * chain above it). Pure.
 */

/** What a run opens with. */
export interface Opening {
  reason: string;
  sessionIds: string[];
  reportIds: string[];
  trace?: string | undefined;
}

/** Opens a run: healing.started, the diagnosis of every check, and the first progress. */
export function start(state: TargetState, o: Opening, env: Env, extra: Pick<Healing, 'parents' | 'chain'> = {}): Reaction {
  const target = state.target;
  const h: Healing = {
    id: env.healingId,
    target,
    reason: o.reason.slice(0, LIMITS.text),
    startedAt: iso(env.now),
    trace: o.trace,
    sessionIds: [...new Set(o.sessionIds)],
    unannounced: [],
    announcedAt: iso(env.now),
    reportIds: [...new Set(o.reportIds)],
    phase: 'diagnose',
    deadline: iso(env.now, env.healing.diagnoseTimeoutMs),
    diagnosis: {},
    requested: [],
    remediation: {},
    verification: {},
    ...extra
  };
  const parent = h.parents?.[0]?.healingId;
  return {
    state: { ...state, active: h },
    intents: [
      Events.HealingStarted.intent({
        healingId: h.id,
        target,
        reason: h.reason,
        checks: [...CHECKS],
        sessionIds: h.sessionIds,
        ...(parent ? { parentHealingId: parent } : {})
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
