import { Events } from '../../shared/events/catalog.js';
import { iso, progress } from './emit.js';
import type { Env, Input, Reaction } from './saga.js';
import { JOIN_ANNOUNCE_MS, MAX_HISTORY, type Ended, type Healing, type TargetState } from './state.js';

/*
 * Single flight under an error storm: reports that join a running healing, reports absorbed by one that already
 * ended, and the budget's escalation. Sessions are told in batches, so thousands of reports make a few events.
 */

export function absorb(state: TargetState, last: Ended, sessionIds: string[]): Reaction {
  const fresh = [...new Set(sessionIds)].filter((s) => !(last.unannounced ?? []).includes(s));
  if (fresh.length === 0) return { state, intents: [] };
  const updated: Ended = { ...last, unannounced: [...(last.unannounced ?? []), ...fresh] };
  return { state: { ...state, history: [...state.history.slice(0, -1), updated] }, intents: [] };
}

/** Tells the sessions of absorbed reports the outcome they joined late, in one event per JOIN_ANNOUNCE_MS. */
export function announceAbsorbed(r: Reaction, env: Env): Reaction {
  const last = r.state.history.at(-1);
  if (!last?.unannounced?.length) return r;
  if (env.now.getTime() - new Date(last.announcedAt ?? last.endedAt).getTime() < JOIN_ANNOUNCE_MS && r.intents.length === 0)
    return r;
  const outcome = { status: last.status, reasonCode: last.reasonCode, summary: last.summary, manualSteps: last.manualSteps };
  const intent = Events.HealingProgress.intent({
    healingId: last.healingId,
    stage: 'joined',
    message: `${last.unannounced.length} report(s) of a failure already handled by healing ${last.healingId} (${last.status})`,
    done: 0,
    total: 0,
    target: r.state.target,
    sessionIds: last.unannounced,
    outcome
  });
  const told: Ended = { ...last, unannounced: [], announcedAt: iso(env.now) };
  return { state: { ...r.state, history: [...r.state.history.slice(0, -1), told] }, intents: [intent, ...r.intents] };
}

export function escalate(
  state: TargetState,
  input: Extract<Input, { kind: 'requested' }>,
  env: Env,
  runs: number
): Reaction {
  const t = state.target;
  const minutes = Math.round(env.healing.windowMs / 60_000);
  const reason = `repeated failures: ${runs} healings of ${t.namespace}/${t.service} in the last ${minutes} min; escalated to a human, no remediation`;
  const lastFailed = [...state.history].reverse().find((e) => e.manualSteps.length > 0);
  const manualSteps = [
    `Cortex stopped healing ${t.namespace}/${t.service} automatically after ${runs} runs in ${minutes} minutes.`,
    ...(lastFailed?.manualSteps ?? []),
    `kubectl describe deployment -n ${t.namespace} ${t.service}; kubectl get events -n ${t.namespace} --sort-by=.lastTimestamp`
  ];
  const entry: Ended = {
    healingId: env.healingId,
    startedAt: iso(env.now),
    endedAt: iso(env.now),
    status: 'escalated',
    reasonCode: 'escalated',
    summary: reason,
    manualSteps
  };
  return {
    state: { ...state, history: [...state.history, entry].slice(-MAX_HISTORY) },
    intents: [
      Events.HealingFailed.intent({
        healingId: env.healingId,
        target: t,
        reasonCode: 'escalated',
        reason,
        findings: [],
        manualSteps,
        sessionIds: [...new Set(input.data.sessionIds)]
      })
    ]
  };
}

/**
 * Announces the sessions that joined since the last announcement, before anything else the healing emits (so the
 * relay knows them before it routes the next step), or on its own once JOIN_ANNOUNCE_MS has passed.
 */
export function announceJoins(r: Reaction, env: Env): Reaction {
  const h = r.state.active;
  if (!h || h.unannounced.length === 0) return r;
  const due = r.intents.length > 0 || env.now.getTime() - new Date(h.announcedAt).getTime() >= JOIN_ANNOUNCE_MS;
  if (!due) return r;
  const announced: Healing = { ...h, unannounced: [], announcedAt: iso(env.now) };
  const joined = progress(h, 'joined', `${h.unannounced.length} more session(s) joined this healing`, 0, 0, {
    sessionIds: h.unannounced
  });
  return { state: { ...r.state, active: announced }, intents: [joined, ...r.intents] };
}
