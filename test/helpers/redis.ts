import { afterAll, beforeAll } from 'vitest';
import { startRedisServer, type RedisServer } from '../../local/redis/server.js';
import { loadConfig, type RedisConfig } from '../../shared/runtime/config.js';

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
