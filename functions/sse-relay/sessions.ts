import type { Target } from '../../shared/events/schemas.js';

/*
 * Which chat sessions an event is for. A healing names its sessions on `healing.started` (and on `completed`/`failed`);
 * later sessions join through `healing.progress` stage `joined` (reports the coordinator absorbed into a running
 * healing). Progress, diagnosis and remediation events name only the healingId, so the relay remembers healingId →
 * sessions (and the target and the outcome, for late joiners): the `HealingRoutes` port, in memory for one replica
 * (bounded, least recently touched forgotten first) or on Redis for all of them (expiring when idle).
 */

/** What the relay remembers of one healing's end, to answer a session that joins after it. */
export interface EndedFacts {
  readonly actions?: readonly string[];
  readonly durationMs?: number;
  readonly findings?: readonly unknown[];
}

export interface HealingFacts {
  readonly sessions: ReadonlySet<string>;
  readonly target?: Target;
  readonly ended?: EndedFacts;
}

export interface HealingRoutes {
  /** Records what an event tells about a healing and returns its facts (the sessions include the new ones). */
  learn(healingId: string, sessions: readonly string[], target?: Target, ended?: EndedFacts): Promise<HealingFacts>;
  get(healingId: string): Promise<HealingFacts | undefined>;
}

interface Kept {
  readonly sessions: Set<string>;
  target?: Target;
  ended?: EndedFacts;
}

export class MemoryRoutes implements HealingRoutes {
  readonly #byId = new Map<string, Kept>();

  constructor(readonly max: number) {}

  get size(): number {
    return this.#byId.size;
  }

  async learn(healingId: string, sessions: readonly string[], target?: Target, ended?: EndedFacts): Promise<HealingFacts> {
    let facts = this.#byId.get(healingId);
    if (facts) this.#byId.delete(healingId);
    else facts = { sessions: new Set() };
    this.#byId.set(healingId, facts);
    for (const s of sessions) facts.sessions.add(s);
    if (target) facts.target = target;
    if (ended) facts.ended = ended;
    if (this.#byId.size > this.max) this.#byId.delete(this.#byId.keys().next().value!);
    return facts;
  }

  async get(healingId: string): Promise<HealingFacts | undefined> {
    return this.#byId.get(healingId);
  }
}

/** The sessions an event names itself: `data.sessionIds`, plus `data.sessionId` (chat and error events). */
export function namedSessions(data: unknown): string[] {
  if (data === null || typeof data !== 'object') return [];
  const d = data as { sessionIds?: unknown; sessionId?: unknown };
  const out = Array.isArray(d.sessionIds) ? d.sessionIds.filter((s): s is string => typeof s === 'string') : [];
  if (typeof d.sessionId === 'string' && !out.includes(d.sessionId)) out.push(d.sessionId);
  return out;
}

/** The healing an event belongs to, if it names one. */
export function healingIdOf(data: unknown): string | undefined {
  const id = data !== null && typeof data === 'object' ? (data as { healingId?: unknown }).healingId : undefined;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}
