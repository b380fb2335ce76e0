import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import errorIntake from '../../../../functions/error-intake/index.js';
import { acquireRedis } from '../../../../shared/redis/connection.js';
import { createLogger } from '../../../../shared/runtime/logging.js';
import { TransientError } from '../../../../shared/runtime/errors.js';
import { run, type RunningFunction } from '../../../../shared/runtime/run.js';
import { startFakeSink, type FakeSink } from '../../../fakes/sink.js';
import { errorReported, postEvent } from '../../../helpers/events.js';
import { logCapture } from '../../../helpers/logs.js';
import { redisConfigOf, startRedisServer, type RedisServer } from '../../../helpers/redis.js';

/*
 * Redis away (DESIGN §11): what needs it answers 503 (the broker retries; nothing is acknowledged that was not
 * stored), readiness turns false, the client reconnects on its own, nothing crashes, and the log says so once per
 * transition, not once per event.
 */

async function until(cond: () => Promise<boolean> | boolean, withinMs = 15_000): Promise<void> {
  const end = Date.now() + withinMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Runtime with Redis: an outage', () => {
  let redis: RedisServer;
  let sink: FakeSink;
  let fn: RunningFunction;
  const logs = logCapture();

  beforeAll(async () => {
    redis = await startRedisServer();
    sink = await startFakeSink();
    fn = await run(errorIntake, {
      overrides: {
        PORT: '0',
        HOST: '127.0.0.1',
        K_SINK: sink.url,
        CORTEX_LOG_LEVEL: 'info',
        CORTEX_REDIS_URL: redis.url,
        CORTEX_REDIS_TIMEOUT_MS: '500'
      },
      logDestination: logs.stream
    });
  });
  afterAll(async () => {
    await fn?.stop();
    await sink?.close();
    await redis?.dispose();
  });

  const readiness = async (): Promise<number> => (await fetch(`${fn.url}/health/readiness`)).status;

  it('answers 503 and reports not ready while Redis is down, and recovers without a restart', async () => {
    // Prepare: handled once while Redis is up
    const before = await postEvent(fn.url, errorReported({}, 'outage-before'));
    const readyBefore = await readiness();
    // Act: Redis goes away; a burst of deliveries arrives
    await redis.stop();
    await until(async () => (await readiness()) === 503);
    const during = await Promise.all(
      Array.from({ length: 20 }, (_, i) => postEvent(fn.url, errorReported({}, `outage-during-${i}`)))
    );
    const bodies = await Promise.all(during.map((r) => r.json() as Promise<{ error: { code: string; message: string } }>));
    const live = (await fetch(`${fn.url}/health/liveness`)).status;
    await redis.start();
    await until(async () => (await readiness()) === 200);
    const retried = await postEvent(fn.url, errorReported({}, 'outage-during-0'));
    // Assess
    expect([before.status, readyBefore]).toEqual([202, 200]);
    expect(during.map((r) => r.status)).toEqual(Array(20).fill(503));
    expect(bodies[0]!.error.code).toBe('unavailable');
    expect(bodies[0]!.error.message).toMatch(/Redis unavailable/);
    expect(live).toBe(200);
    expect(retried.status).toBe(202);
    // Nothing was acknowledged while down: only the two events handled with Redis up reached the sink.
    expect(sink.events.map((e) => e.data)).toHaveLength(2);
    const transitions = logs.lines.filter((l) => /^Redis (down|up)/.test(String(l.msg))).map((l) => String(l.msg));
    expect(transitions.map((m) => m.split(':')[0])).toEqual(['Redis up', 'Redis down', 'Redis up']);
    // … and the 20 failed deliveries are not logged one by one above debug
    const loud = logs.lines.filter(
      (l) => (l.level === 'error' || l.level === 'warn') && !/CORTEX_EVENT_AUTH/.test(String(l.msg))
    );
    expect(loud).toHaveLength(1);
  });
});

describe('Redis connection: a dead Redis is a fast TransientError', () => {
  it('rejects a command with TransientError when nothing listens, instead of queueing it', async () => {
    // Prepare: a server started and stopped, so its port is known to be closed
    const server = await startRedisServer();
    await server.dispose();
    const conn = await acquireRedis(redisConfigOf(server.url), createLogger({ name: 'test', level: 'silent' }));
    // Act
    const err = await conn.run('read', (c) => c.get('k')).catch((e: unknown) => e);
    await conn.release();
    // Assess
    expect(err).toBeInstanceOf(TransientError);
    expect(conn.healthy()).toBe(false);
  });
});
