import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { trimHistory } from './history.js';

/*
 * The in-memory session store: conversation history per session, bounded by count (least recently used goes first)
 * and by idle time. One replica's memory: a follow-up that lands on another replica (or after a restart) carries a
 * valid token for an id this store does not know, and simply starts with an empty history.
 */

export interface ChatSession {
  readonly id: string;
  history: MessageParam[];
  /** A message of this session is being answered; a second one at the same time is refused. */
  busy: boolean;
  lastUsedMs: number;
}

export interface SessionStoreOptions {
  maxSessions: number;
  ttlMs: number;
  historyTurns: number;
  now: () => number;
}

export class SessionStore {
  // A Map iterates in insertion order; touching a session re-inserts it, so the first entries are the least recent.
  private readonly sessions = new Map<string, ChatSession>();

  constructor(private readonly opts: SessionStoreOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  /** The session (refreshed), or a new empty one under that id. */
  open(id: string): ChatSession {
    this.sweep();
    const found = this.sessions.get(id);
    const session = found ?? { id, history: [], busy: false, lastUsedMs: this.opts.now() };
    session.lastUsedMs = this.opts.now();
    this.sessions.delete(id);
    this.sessions.set(id, session);
    while (this.sessions.size > this.opts.maxSessions) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
    }
    return session;
  }

  /** Stores a finished turn's history, trimmed to the configured number of turns. */
  commit(session: ChatSession, history: readonly MessageParam[]): void {
    session.history = trimHistory(history, this.opts.historyTurns);
    session.lastUsedMs = this.opts.now();
  }

  private sweep(): void {
    const cutoff = this.opts.now() - this.opts.ttlMs;
    for (const [id, s] of this.sessions) {
      if (s.lastUsedMs >= cutoff) break;
      if (!s.busy) this.sessions.delete(id);
    }
  }
}
