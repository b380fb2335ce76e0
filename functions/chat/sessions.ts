import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import type { Config } from '../../shared/runtime/config.js';
import type { Ports } from '../../shared/runtime/define-function.js';
import { trimHistory } from './history.js';

/*
 * The chat's state port (DESIGN §8, §11): each session's conversation history, and the turn it is answering. One
 * message is answered per session at a time, on every replica: `begin` takes the session's turn or says it is taken.
 * Two stores keep it: in process memory (one replica, the default) and Redis (`redis-sessions.ts`), where the next
 * message may land on another replica and still find its history.
 */

/** A session's turn: the history it starts from; committed when the answer completes; always ended. */
export interface SessionTurn {
  readonly id: string;
  readonly history: readonly MessageParam[];
  /** Stores the finished turn's history, trimmed to the configured turns. */
  commit(history: readonly MessageParam[]): Promise<void>;
  /** Gives the turn back: the session's next message may start. */
  end(): Promise<void>;
}

export interface ChatSessions {
  /** Registers a new, empty session. */
  create(id: string): Promise<void>;
  /**
   * Takes the session's turn with its history (empty for a session that is unknown or expired), or undefined while
   * another message of it is being answered.
   */
  begin(id: string): Promise<SessionTurn | undefined>;
}

export interface MemorySessionsOptions {
  maxSessions: number;
  ttlMs: number;
  historyTurns: number;
  now: () => number;
}

interface Kept {
  history: MessageParam[];
  busy: boolean;
  lastUsedMs: number;
}

/**
 * Sessions in process memory, bounded by count (least recently used first out) and by idle time. A follow-up that
 * lands on another replica (or after a restart) carries a valid token for an id this store does not know, and
 * starts with an empty history.
 */
export class MemorySessions implements ChatSessions {
  // A Map iterates in insertion order; touching a session re-inserts it, so the first entries are the least recent.
  private readonly sessions = new Map<string, Kept>();

  constructor(private readonly opts: MemorySessionsOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  async create(id: string): Promise<void> {
    this.open(id);
  }

  async begin(id: string): Promise<SessionTurn | undefined> {
    const kept = this.open(id);
    if (kept.busy) return undefined;
    kept.busy = true;
    return {
      id,
      history: kept.history,
      commit: async (history) => {
        kept.history = trimHistory(history, this.opts.historyTurns);
        kept.lastUsedMs = this.opts.now();
      },
      end: async () => {
        kept.busy = false;
      }
    };
  }

  /** The session (refreshed), or a new empty one under that id. */
  private open(id: string): Kept {
    this.sweep();
    const kept = this.sessions.get(id) ?? { history: [], busy: false, lastUsedMs: this.opts.now() };
    kept.lastUsedMs = this.opts.now();
    this.sessions.delete(id);
    this.sessions.set(id, kept);
    for (const [oldest, s] of this.sessions) {
      if (this.sessions.size <= this.opts.maxSessions) break;
      if (!s.busy) this.sessions.delete(oldest);
    }
    return kept;
  }

  private sweep(): void {
    const cutoff = this.opts.now() - this.opts.ttlMs;
    for (const [id, s] of this.sessions) {
      if (s.lastUsedMs >= cutoff) break;
      if (!s.busy) this.sessions.delete(id);
    }
  }
}

/** The chat's session store, chosen by the configuration: Redis when CORTEX_REDIS_URL is set (ioredis loaded only then). */
export async function openChatSessions(
  config: Pick<Config, 'chat' | 'redis'>,
  ctx: Pick<Ports, 'clock' | 'ids' | 'log'>
): Promise<{ sessions: ChatSessions; close(): Promise<void> }> {
  const { maxSessions, sessionTtlMs: ttlMs, historyTurns } = config.chat;
  if (!config.redis) {
    const sessions = new MemorySessions({ maxSessions, ttlMs, historyTurns, now: () => ctx.clock.now().getTime() });
    return { sessions, close: async () => undefined };
  }
  const [{ acquireRedis }, { createRedisSessions }] = await Promise.all([
    import('../../shared/redis/connection.js'),
    import('./redis-sessions.js')
  ]);
  const redis = await acquireRedis(config.redis, ctx.log);
  const sessions = createRedisSessions(redis, { ttlMs, historyTurns, token: () => ctx.ids.uuid(), log: ctx.log });
  return { sessions, close: () => redis.release() };
}
