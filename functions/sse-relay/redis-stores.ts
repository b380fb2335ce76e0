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

/**
 * The relay's logs, membership and follower on the process's Redis connection. Without `follow` (an ingest-role relay,
 * which serves no stream) there is no follower and no blocking connection.
 */
export async function openRedisRelayStores(
  config: RedisConfig,
  opts: RedisLogOptions & { readonly log: Logger; readonly follow: boolean }
): Promise<RelayStores> {
  const redis = await acquireRedis(config, opts.log);
  const log = createRedisLog(redis, opts);
  const follower = opts.follow ? createFollower(redis, { blockMs: BLOCK_MS, count: READ_COUNT, log: opts.log }) : undefined;
  return {
    writer: log,
    reader: {
      info: (key, tail) => log.info(key, tail),
      follow: (key, after, h) => {
        if (!follower) throw new Error('this relay serves no streams (CORTEX_RELAY_ROLE=ingest): nothing follows the logs');
        return follower.follow(key, after, h);
      }
    },
    routes: createRedisRoutes(redis, { ttlMs: opts.sessionTtlMs }),
    async close() {
      await follower?.close();
      await redis.release();
    }
  };
}
