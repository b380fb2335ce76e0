import type { Clock } from '../../shared/runtime/clock.js';
import type { Config } from '../../shared/runtime/config.js';
import type { Logger } from '../../shared/runtime/logging.js';
import type { LogReader, LogWriter } from './log.js';
import { MemoryLog } from './memory-log.js';
import { MemoryRoutes, type HealingRoutes } from './sessions.js';

/*
 * The relay's state, chosen by the configuration: in process memory (one replica, the default of `npm start`) or on
 * Redis when CORTEX_REDIS_URL is set (any number of replicas). ioredis is loaded only then.
 */

export interface RelayStores {
  readonly writer: LogWriter;
  readonly reader: LogReader;
  readonly routes: HealingRoutes;
  close(): Promise<void>;
}

export type RelayStoreConfig = Pick<Config, 'relay' | 'redis' | 'idempotency'>;

/**
 * @example
 * const stores = await openRelayStores(config, { clock, log });
 */
export async function openRelayStores(
  config: RelayStoreConfig,
  ctx: { readonly clock: Clock; readonly log: Logger }
): Promise<RelayStores> {
  const { buffer, sessionBuffer, sessionTtlMs, maxSessions } = config.relay;
  if (config.redis) {
    const { openRedisRelayStores } = await import('./redis-stores.js');
    return openRedisRelayStores(config.redis, {
      operatorCap: buffer,
      sessionCap: sessionBuffer,
      sessionTtlMs,
      dedupeTtlMs: config.idempotency.ttlMs,
      log: ctx.log,
      follow: config.relay.role !== 'ingest'
    });
  }
  const log = new MemoryLog({
    operatorCap: buffer,
    sessionCap: sessionBuffer,
    sessionTtlMs,
    maxSessions,
    dedupeTtlMs: config.idempotency.ttlMs,
    now: () => ctx.clock.now().getTime()
  });
  return { writer: log, reader: log, routes: new MemoryRoutes(Math.max(1000, maxSessions)), close: async () => undefined };
}
