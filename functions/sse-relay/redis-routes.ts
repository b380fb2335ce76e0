import type { Result } from 'ioredis';
import type { Target } from '../../shared/events/schemas.js';
import type { RedisConnection } from '../../shared/redis/connection.js';
import type { EndedFacts, HealingFacts, HealingRoutes } from './sessions.js';

/*
 * Which sessions follow which healing, on Redis, for every relay replica: `<prefix>relay:h:<healingId>` (a hash: `t` the
 * target, `e` what its end said) and `<prefix>relay:h:<healingId>:s` (the set of sessions), both expiring when the
 * healing has been quiet for the TTL. Learning and reading back is one script, so an event sees every session that
 * joined before it, whichever replica saw the join.
 */

// KEYS: hash, set. ARGV: TTL, target JSON or '', ended JSON or '', sessions… (added in chunks: Lua's unpack is bounded)
const LEARN = `
for i = 4, #ARGV, 1000 do redis.call('SADD', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 't', ARGV[2]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'e', ARGV[3]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return { redis.call('SMEMBERS', KEYS[2]), redis.call('HGET', KEYS[1], 't'), redis.call('HGET', KEYS[1], 'e') }`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    cortexRelayLearn(
      hash: string,
      set: string,
      ...args: string[]
    ): Result<[string[], string | null, string | null], Context>;
  }
}

function factsOf(sessions: string[], target: string | null, ended: string | null): HealingFacts {
  return {
    sessions: new Set(sessions),
    ...(target ? { target: JSON.parse(target) as Target } : {}),
    ...(ended ? { ended: JSON.parse(ended) as EndedFacts } : {})
  };
}

/**
 * @example
 * const routes = createRedisRoutes(redis, { ttlMs: 3_600_000 });
 * const facts = await routes.learn('h-1', ['session-a'], target);
 */
export function createRedisRoutes(redis: RedisConnection, opts: { ttlMs: number }): HealingRoutes {
  redis.client.defineCommand('cortexRelayLearn', { numberOfKeys: 2, lua: LEARN });
  const hash = (healingId: string): string => `${redis.prefix}relay:h:${healingId}`;
  return {
    async learn(healingId, sessions, target, ended) {
      const [members, t, e] = await redis.run('record who follows the healing', (c) =>
        c.cortexRelayLearn(
          hash(healingId),
          `${hash(healingId)}:s`,
          String(opts.ttlMs),
          target ? JSON.stringify(target) : '',
          ended ? JSON.stringify(ended) : '',
          ...sessions
        )
      );
      return factsOf(members, t, e);
    },
    async get(healingId) {
      const [members, fields] = await redis.run('read who follows the healing', async (c) => {
        const replies = await c
          .pipeline()
          .smembers(`${hash(healingId)}:s`)
          .hmget(hash(healingId), 't', 'e')
          .exec();
        for (const [err] of replies ?? []) if (err) throw err;
        return [replies![0]![1] as string[], replies![1]![1] as (string | null)[]] as const;
      });
      if (members.length === 0 && !fields[0] && !fields[1]) return undefined;
      return factsOf(members, fields[0] ?? null, fields[1] ?? null);
    }
  };
}
