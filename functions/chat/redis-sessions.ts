import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import type { Result } from 'ioredis';
import type { RedisConnection } from '../../shared/redis/connection.js';
import type { Logger } from '../../shared/runtime/logging.js';
import { trimHistory } from './history.js';
import type { ChatSessions, SessionTurn } from './sessions.js';

/*
 * Chat sessions on Redis (DESIGN §11), shared by every chat replica: `<prefix>chat:s:<id>` holds the history (JSON,
 * expiring after the idle TTL, refreshed by every turn) and `<prefix>chat:busy:<id>` the turn being answered: a token
 * set with NX and a short lease that the answering replica renews while it streams. A replica killed mid-answer
 * leaves a lease that expires within LEASE_MS, so the session is not stuck until the request timeout. A commit
 * stores the history only while its turn still holds the lease, so a turn that lost it never overwrites a newer one.
 */

/** How long a turn holds the session without renewing; renewed every third of it. */
export const LEASE_MS = 30_000;

// KEYS: busy, history. ARGV: token, lease, TTL. → {1, history or ''} when the turn is taken, {0} when it is busy.
const BEGIN = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end
local h = redis.call('GET', KEYS[2])
if h then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return {1, h or ''}`;
// KEYS: busy, history. ARGV: token, history, TTL.
const COMMIT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1`;
// KEYS: busy. ARGV: token, lease (0 = give the turn back).
const HOLD = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then return redis.call('DEL', KEYS[1]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    cortexChatBegin(
      busy: string,
      history: string,
      token: string,
      lease: string,
      ttl: string
    ): Result<[0] | [1, string], Context>;
    cortexChatCommit(busy: string, history: string, token: string, json: string, ttl: string): Result<number, Context>;
    cortexChatHold(busy: string, token: string, lease: string): Result<number, Context>;
  }
}

export interface RedisSessionsOptions {
  ttlMs: number;
  historyTurns: number;
  /** A fresh token per turn (ctx.ids.uuid). */
  token: () => string;
  log: Logger;
  /** How long a turn holds the session without renewing (LEASE_MS). */
  leaseMs?: number;
}

/**
 * @example
 * const sessions = createRedisSessions(redis, { ttlMs: 1_800_000, historyTurns: 20, token: ids.uuid, log });
 * const turn = await sessions.begin(sessionId); // undefined: busy on some replica
 */
export function createRedisSessions(redis: RedisConnection, opts: RedisSessionsOptions): ChatSessions {
  const c = redis.client;
  c.defineCommand('cortexChatBegin', { numberOfKeys: 2, lua: BEGIN });
  c.defineCommand('cortexChatCommit', { numberOfKeys: 2, lua: COMMIT });
  c.defineCommand('cortexChatHold', { numberOfKeys: 1, lua: HOLD });
  const ttl = String(opts.ttlMs);
  const lease = opts.leaseMs ?? LEASE_MS;
  const keys = (id: string): [string, string] => [`${redis.prefix}chat:busy:${id}`, `${redis.prefix}chat:s:${id}`];

  return {
    async create(id) {
      await redis.run('store the new session', (r) => r.set(keys(id)[1], '[]', 'PX', opts.ttlMs, 'NX'));
    },

    async begin(id): Promise<SessionTurn | undefined> {
      const [busy, history] = keys(id);
      const token = opts.token();
      const reply = await redis.run('take the session', (r) => r.cortexChatBegin(busy, history, token, String(lease), ttl));
      if (reply[0] === 0) return undefined;
      const renew = setInterval(() => {
        redis
          .run('renew the session turn', (r) => r.cortexChatHold(busy, token, String(lease)))
          .catch((err: unknown) => opts.log.debug({ err, sessionId: id }, 'could not renew the session turn'));
      }, lease / 3);
      renew.unref();
      return {
        id,
        history: reply[1] ? (JSON.parse(reply[1]) as MessageParam[]) : [],
        async commit(messages) {
          const json = JSON.stringify(trimHistory(messages, opts.historyTurns));
          const stored = await redis.run('store the history', (r) => r.cortexChatCommit(busy, history, token, json, ttl));
          if (stored === 0) opts.log.warn({ sessionId: id }, 'the turn lost the session before it was stored; history kept');
        },
        async end() {
          clearInterval(renew);
          // If Redis is away the lease expires on its own.
          await redis
            .run('give the session back', (r) => r.cortexChatHold(busy, token, '0'))
            .catch((err: unknown) => opts.log.debug({ err, sessionId: id }, 'session turn left to expire'));
        }
      };
    }
  };
}
