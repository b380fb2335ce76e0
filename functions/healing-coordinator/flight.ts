import { Events } from '../../shared/events/catalog.js';
import { iso, progress } from './emit.js';
import type { Input } from './input.js';
import { resumeTime } from './memory.js';
import type { Env, Reaction } from './saga.js';
import { start } from './start.js';
import { JOIN_ANNOUNCE_MS, type Ended, type Healing, type TargetState } from './state.js';

/*
 * Single flight under an error storm: reports that join a running healing, reports absorbed by one that already
 * ended, and the holds that absorb reports for a while: an escalation (until automatic healing resumes) and the
 * limit on healings that find the target healthy. Sessions are told in batches, so thousands of reports make a few
 * events; every absorbed report is told, with a session or without one, on the operator stream.
 */

/** The reports a healing keeps the ids of (the first ones); its sessions are all kept. */
const MAX_REPORT_IDS = 100;

/** Reports are absorbed for now: into which ended run, until when, and why (for a hold the escalation does not say). */
export interface Hold {
  until: string;
  why?: string;
}

const minutes = (ms: number): number => Math.round(ms / 60_000);

/**
 * Why reports are not healed right now, if they are not: an escalation whose time has not come, or as many healings
 * that found the target healthy within the window as the transient limit allows.
 */
export function holdOf(state: TargetState, env: Env): Hold | undefined {
  const last = state.history.at(-1);
  if (last?.status === 'escalated' && last.resumesAt && env.now < new Date(last.resumesAt)) return { until: last.resumesAt };
  const since = env.now.getTime() - env.healing.windowMs;
  const transient = state.history.filter((e) => e.transient && new Date(e.endedAt).getTime() > since);
  if (transient.length < env.healing.transientLimit) return undefined;
  const until = iso(
    resumeTime(
      transient.map((e) => e.endedAt),
      env.healing.transientLimit,
      env.healing.windowMs
    )
  );
  const t = `${state.target.namespace}/${state.target.service}`;
  return {
    until,
    why: `${transient.length} healings in the last ${minutes(env.healing.windowMs)} min found ${t} healthy, the limit for reports that need no fix (CORTEX_HEALING_TRANSIENT_LIMIT)`
  };
}

/** Absorbs a report into the last ended run: its sessions (and the report itself) are told that run's outcome. */
export function absorb(state: TargetState, last: Ended, sessionIds: string[], hold?: Hold): Reaction {
  const fresh = [...new Set(sessionIds)].filter((s) => !(last.unannounced ?? []).includes(s));
  const updated: Ended = {
    ...last,
    unannounced: [...(last.unannounced ?? []), ...fresh],
    unannouncedReports: (last.unannouncedReports ?? 0) + 1,
    ...(hold?.why ? { held: { until: hold.until, why: hold.why } } : {})
  };
  return { state: { ...state, history: [...state.history.slice(0, -1), updated] }, intents: [] };
}

/**
 * Tells the absorbed reports what they joined, in one event per JOIN_ANNOUNCE_MS: during an escalation the same
 * healing.failed (reasonCode `escalated`, when healing resumes), otherwise the outcome of the run they came after.
 */
export function announceAbsorbed(r: Reaction, env: Env): Reaction {
  const last = r.state.history.at(-1);
  const reports = last?.unannouncedReports ?? last?.unannounced?.length ?? 0;
  if (!last || (reports === 0 && !last.unannounced?.length)) return r;
  if (env.now.getTime() - new Date(last.announcedAt ?? last.endedAt).getTime() < JOIN_ANNOUNCE_MS && r.intents.length === 0)
    return r;
  const sessionIds = last.unannounced ?? [];
  const told: Ended = {
    ...last,
    unannounced: [],
    unannouncedReports: 0,
    announcedAt: iso(env.now),
    ...(last.status === 'escalated' ? { repeats: (last.repeats ?? 0) + 1 } : {})
  };
  const state = { ...r.state, history: [...r.state.history.slice(0, -1), told] };
  return { ...r, state, intents: [announcement(r.state, last, sessionIds, Math.max(reports, 1), env.now), ...r.intents] };
}

function announcement(state: TargetState, last: Ended, sessionIds: string[], reports: number, now: Date) {
  if (last.status === 'escalated') {
    // Each report during an escalation gets the escalation's own words and when it ends (a new id per batch, so the
    // sessions that already had it are not told twice).
    return Events.HealingFailed.intent({
      healingId: `${last.healingId}-r${(last.repeats ?? 0) + 1}`,
      target: state.target,
      reasonCode: 'escalated',
      reason: last.summary,
      findings: last.findings ?? [],
      manualSteps: last.manualSteps,
      sessionIds,
      ...(last.rootCause ? { rootCause: last.rootCause } : {}),
      ...(last.resumesAt ? { resumesAt: last.resumesAt } : {}),
      escalationId: last.healingId,
      reports
    });
  }
  const outcome = { status: last.status, reasonCode: last.reasonCode, summary: last.summary, manualSteps: last.manualSteps };
  const held = last.held !== undefined && now < new Date(last.held.until);
  const message = held
    ? `${reports} report(s) absorbed: ${last.held!.why}; reports are absorbed until ${last.held!.until} (last outcome: ${last.summary})`
    : `${reports} report(s) of a failure already handled by healing ${last.healingId} (${last.status})`;
  return Events.HealingProgress.intent({
    healingId: last.healingId,
    stage: 'joined',
    message: message.slice(0, 2048),
    done: 0,
    total: 0,
    target: state.target,
    sessionIds,
    outcome,
    ...(held ? { absorbedUntil: last.held!.until } : {})
  });
}

/**
 * A report for the target: it joins the running healing (single flight), is absorbed by the last one (it happened
 * before that run ended, or a hold is on), or opens a new run.
 */
export function requested(state: TargetState, input: Extract<Input, { kind: 'requested' }>, env: Env): Reaction {
  const { sessionIds, reportIds, category, message } = input.data;
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
  const last = state.history.at(-1);
  // A failure that happened before the last run ended was that run's business: absorb it, don't start another.
  if (last && occurredAt <= new Date(last.endedAt).getTime()) return absorb(state, last, sessionIds);
  // An escalation, or the limit on healings that find the target healthy: absorbed (and told) until it ends.
  const hold = holdOf(state, env);
  if (last && hold) return absorb(state, last, sessionIds, hold);
  const reason = `${category}${message ? `: ${message}` : ''}`;
  return start(state, { reason, sessionIds, reportIds, trace: input.trace }, env);
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
  return { ...r, state: { ...r.state, active: announced }, intents: [joined, ...r.intents] };
}
