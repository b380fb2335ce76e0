import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { sessionLog, type LogEntry } from '../../../../functions/sse-relay/log.js';
import { openRelayStores, type RelayStores } from '../../../../functions/sse-relay/stores.js';
import { loadConfig } from '../../../../shared/runtime/config.js';
import { createLogger } from '../../../../shared/runtime/logging.js';
import { systemClock } from '../../../../shared/runtime/clock.js';
import { useRedisServer } from '../../../helpers/redis.js';
import { relayStoreContract } from './store-contract.js';

const log = createLogger({ name: 'test', level: 'silent' });
const server = useRedisServer();
const open: RelayStores[] = [];
afterAll(async () => {
  for (const s of open.splice(0)) await s.close();
});

let db = 0;
/** Stores on their own Redis database, flushed: the operator log is shared by everything on one database. */
async function redisStores(
  o: { operatorCap: number; sessionCap: number; sessionTtlMs: number },
  database?: number
): Promise<RelayStores> {
  const index = database ?? (db = (db % 15) + 1);
  const url = `${server().url}/${index}`;
  if (database === undefined) {
    const admin = new Redis(url);
    await admin.flushdb();
    await admin.quit();
  }
  const env = {
    CORTEX_REDIS_URL: url,
    CORTEX_REDIS_TIMEOUT_MS: '500',
    CORTEX_RELAY_BUFFER: String(o.operatorCap),
    CORTEX_RELAY_SESSION_BUFFER: String(o.sessionCap),
    CORTEX_RELAY_SESSION_TTL_MS: String(o.sessionTtlMs)
  };
  const stores = await openRelayStores(loadConfig(env), { clock: systemClock, log });
  open.push(stores);
  return stores;
}

relayStoreContract('in memory', {
  make: async (o) =>
    openRelayStores(
      loadConfig({
        CORTEX_RELAY_BUFFER: String(o.operatorCap),
        CORTEX_RELAY_SESSION_BUFFER: String(o.sessionCap),
        CORTEX_RELAY_SESSION_TTL_MS: String(o.sessionTtlMs)
      }),
      { clock: systemClock, log }
    )
});
relayStoreContract('Redis', { make: (o) => redisStores(o) });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const OPTS = { operatorCap: 1_000, sessionCap: 100, sessionTtlMs: 60_000 };

describe('Relay stores on Redis: shared by replicas', () => {
  it('delivers to a stream on one replica what another replica appended, and learns membership for both', async () => {
    // Prepare: two replicas' stores over one Redis database
    const a = await redisStores(OPTS);
    const b = await redisStores(OPTS, db);
    const got: LogEntry[] = [];
    const stop = b.reader.follow(sessionLog('s-x'), '0-0', { entries: (e) => void got.push(...e), lost: () => undefined });
    // Act
    await a.routes.learn('h-x', ['s-x']);
    await a.writer.append({
      key: 'k-x',
      operator: { event: 't', data: '{}', named: [], healingId: 'h-x' },
      frames: [{ event: 'healing_start', data: '{"a":1}', to: ['s-x'] }]
    });
    for (let i = 0; i < 200 && got.length === 0; i++) await sleep(10);
    const facts = await b.routes.get('h-x');
    // Assess
    expect(got.map((e) => [e.event, e.data])).toEqual([['healing_start', '{"a":1}']]);
    expect([...facts!.sessions]).toEqual(['s-x']);
    stop();
  });

  it('ends every followed log when Redis goes away, and serves again once it is back', async () => {
    // Prepare
    const s = await redisStores(OPTS);
    const lost: string[] = [];
    s.reader.follow(sessionLog('s-down'), '0-0', { entries: () => undefined, lost: (r) => void lost.push(r) });
    await sleep(50);
    // Act
    await server().stop();
    for (let i = 0; i < 300 && lost.length === 0; i++) await sleep(10);
    const whileDown = await s.reader.info(sessionLog('s-down')).then(
      () => 'read',
      (err: Error) => err.name
    );
    await server().start();
    let after: unknown;
    for (let i = 0; i < 100 && after === undefined; i++) {
      after = await s.reader.info(sessionLog('s-down')).catch(() => undefined);
      if (after === undefined) await sleep(50);
    }
    // Assess
    expect(lost).toHaveLength(1);
    expect(whileDown).toBe('UnavailableError');
    expect(after).toEqual({});
  });
});

describe('Relay stores on Redis: an outage shorter than the first reconnect', () => {
  it('ends the streams it was reading, and a log followed once Redis is back is read at once, not after the block', async () => {
    // Prepare: the follower blocked in a read of one log
    const s = await redisStores(OPTS);
    const lost: string[] = [];
    const stopFirst = s.reader.follow(sessionLog('s-blocked'), '0-0', {
      entries: () => undefined,
      lost: (r) => void lost.push(r)
    });
    await sleep(50);
    // Act: Redis restarts before the client's first reconnect; then another log is followed and appended to
    await server().stop();
    await server().start();
    for (
      let i = 0;
      i < 100 &&
      !(await s.reader.info(sessionLog('s-later')).then(
        () => true,
        () => false
      ));
      i++
    )
      await sleep(50);
    stopFirst();
    const got: LogEntry[] = [];
    s.reader.follow(sessionLog('s-later'), '0-0', { entries: (e) => void got.push(...e), lost: () => undefined });
    await s.writer.append({
      key: 'k-later',
      operator: { event: 't', data: '{}', named: [], healingId: 'h-later' },
      frames: [{ event: 'healing_start', data: '{}', to: ['s-later'] }]
    });
    // Waits half of the follower's 10 s block: a read resent on the old logs would hold the new one back until it ends.
    for (let i = 0; i < 500 && got.length === 0; i++) await sleep(10);
    // Assess
    expect(lost).toHaveLength(1);
    expect(got.map((e) => e.event)).toEqual(['healing_start']);
  });
});
