import type { CortexEvent } from '../../shared/runtime/define-function.js';
import type { Append, LogWriter } from './log.js';
import { cloudEventOf, endedFactsOf, sessionEventsOf, STREAMED, targetIn } from './mapping.js';
import { healingIdOf, namedSessions, type HealingFacts, type HealingRoutes } from './sessions.js';

/*
 * The relay's ingest: what one delivered event becomes. It learns what the event tells about its healing (sessions,
 * target, outcome), maps it to the frames browsers see, encodes each frame once, and appends them to the operator log
 * and to the log of every session the frame is for, in one atomic append. Membership is decided here, when the event
 * arrives: a session's log holds what was sent to it, so a reconnect replays exactly what the live stream showed.
 */

/** The types a session stream shows, signed by their senders: the only ones that teach who follows a healing. */
const STREAMED_TYPES: ReadonlySet<string> = new Set(STREAMED.map((d) => d.type));

/** The identity of a delivery: a dead letter shares (source, id) with the original, so it is keyed apart. */
export function appendKey(event: CortexEvent): string {
  const dead = event.deadLetter ? `\u0000dead-letter:${event.deadLetter.dest}` : '';
  return `${event.source}\u0000${event.id}${dead}`;
}

/** What an event becomes in the logs, given what is known of its healing. Pure. */
export function planAppend(event: CortexEvent, facts: HealingFacts | undefined): Append {
  const named = namedSessions(event.data);
  const healingId = healingIdOf(event.data);
  const following = facts?.sessions ?? new Set<string>();
  // Most events name no session: their audience is the healing's followers, thousands in a storm, copied once.
  const everyone = named.length === 0 ? [...following] : [...new Set([...named, ...following])];
  const inAudience = (s: string): boolean => following.has(s) || named.includes(s);
  return {
    key: appendKey(event),
    operator: { event: event.type, data: JSON.stringify(cloudEventOf(event)), named, healingId },
    frames: sessionEventsOf(event, facts).map((e) => ({
      event: e.event,
      data: JSON.stringify(e.data),
      to: e.only ? e.only.filter(inAudience) : everyone
    }))
  };
}

/**
 * Stores one delivered event; resolves once it is stored (the runtime acknowledges the delivery only then).
 *
 * @example
 * const ingest = createIngest(routes, log);
 * await ingest(event);
 */
export function createIngest(routes: HealingRoutes, log: LogWriter): (event: CortexEvent) => Promise<void> {
  return async (event) => {
    const healingId = healingIdOf(event.data);
    // Only the signed healing events teach who follows a healing: anyone may send the rest (docs/security.md). A dead
    // letter is a failed delivery to someone else: it says nothing new either.
    const teaches = !event.deadLetter && STREAMED_TYPES.has(event.type);
    const facts =
      healingId === undefined
        ? undefined
        : teaches
          ? await routes.learn(healingId, namedSessions(event.data), targetIn(event.data), endedFactsOf(event))
          : await routes.get(healingId);
    await log.append(planAppend(event, facts));
  };
}
