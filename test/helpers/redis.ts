import { afterAll, beforeAll } from 'vitest';
import { startRedisServer, type RedisServer } from '../../local/redis/server.js';
import { acquireRedis, type RedisConnection } from '../../shared/redis/connection.js';
import { loadConfig, type RedisConfig } from '../../shared/runtime/config.js';
import { createLogger } from '../../shared/runtime/logging.js';

// Starting a private redis-server is shared with `npm run start:scaled`, so it lives in local/redis/server.ts.
export { freePort, startRedisServer, type RedisServer } from '../../local/redis/server.js';

/** The parsed Redis configuration of a URL, as a function would get it from CORTEX_REDIS_URL. */
export function redisConfigOf(url: string, extra: Record<string, string> = {}): RedisConfig {
  return loadConfig({ CORTEX_REDIS_URL: url, CORTEX_REDIS_TIMEOUT_MS: '500', ...extra }).redis!;
}

/**
 * A private redis-server for one test file: started before its tests, disposed after them.
 *
 * @example
 * const redis = useRedisServer();
 * it('…', () => { redis().url; });
 */
export function useRedisServer(): () => RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });
  return () => {
    if (!server) throw new Error('the redis-server of this file is not running');
    return server;
  };
}

/**
 * Connections to a file's redis-server, as a function's stores get them (one shared client per configuration),
 * released after the file's tests.
 *
 * @example
 * const server = useRedisServer();
 * const connection = useRedisConnections(server);
 * it('…', async () => createRedisStore(await connection(), { fn: 'x' }));
 */
export function useRedisConnections(
  server: () => RedisServer
): (extra?: Record<string, string>) => Promise<RedisConnection> {
  const log = createLogger({ name: 'test', level: 'silent' });
  const held: RedisConnection[] = [];
  afterAll(async () => {
    for (const r of held.splice(0)) await r.release();
  });
  return async (extra = {}) => {
    const r = await acquireRedis(redisConfigOf(server().url, extra), log);
    held.push(r);
    return r;
  };
}
