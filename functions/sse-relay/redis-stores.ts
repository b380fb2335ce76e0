import { acquireRedis } from '../../shared/redis/connection.js';
import type { RedisConfig } from '../../shared/runtime/config.js';
import type { Logger } from '../../shared/runtime/logging.js';
import { createFollower } from './redis-follow.js';
import { createRedisLog, type RedisLogOptions } from './redis-log.js';
import { createRedisRoutes } from './redis-routes.js';
import type { RelayStores } from './stores.js';

/** How long one blocking read lasts before the follower reissues it. */
const BLOCK_MS = 10_000;
/** Entries per log per read. */
const READ_COUNT = 1_000;

/** The relay's logs, membership and follower on the process's Redis connection. */
export async function openRedisRelayStores(
  config: RedisConfig,
  opts: RedisLogOptions & { readonly log: Logger }
): Promise<RelayStores> {
  const redis = await acquireRedis(config, opts.log);
  const log = createRedisLog(redis, opts);
  const follower = createFollower(redis, { blockMs: BLOCK_MS, count: READ_COUNT, log: opts.log });
  return {
    writer: log,
    reader: { info: (key, tail) => log.info(key, tail), follow: (key, after, h) => follower.follow(key, after, h) },
    routes: createRedisRoutes(redis, { ttlMs: opts.sessionTtlMs }),
    async close() {
      await follower.close();
      await redis.release();
    }
  };
}
