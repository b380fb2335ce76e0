import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createRedisLog } from '../functions/sse-relay/redis-log.js';
import { startRedisServer } from '../local/redis/server.js';
import { acquireRedis } from '../shared/redis/connection.js';
import { loadConfig } from '../shared/runtime/config.js';
import { createLogger } from '../shared/runtime/logging.js';
import { measurement, quantile, type Measurement } from './measure.js';
import { sessionId } from './relay-keys.js';
import { Events } from '../shared/events/catalog.js';

/*
 * How a relay replica follows the Redis Streams of its own clients (DESIGN §7): one blocking XREAD over every log it
 * serves (what the relay does), against pub/sub as the wake-up plus one XRANGE per woken session for the gap (the
 * baseline). Two replicas, each a process following half of N session logs; each timed event is one healing.progress
 * appended by the relay's own append script to all N logs (one healing followed by N sessions, as in `relay`).
 * The pub/sub variant also publishes one wake-up per session after the append, as its ingest would.
 *
 * Reported per N (1,000 and 10,000 sessions): append → the event read for every session of both replicas (p50, p99);
 * CPU per event of the two replicas together and of redis-server (INFO used_cpu_*), the appender's work excluded
 * from neither (it is the same for both).
 */

const EVENTS = 30;
const WARMUP = 3;
const PAD = 'x'.repeat(300);
const CHILD = fileURLToPath(new URL('./relay-follow-child.ts', import.meta.url));

interface Child {
  process: ChildProcess;
  next<T>(key: string): Promise<T>;
}

function startChild(strategy: string, url: string, from: number, to: number): Child {
  const child = fork(CHILD, [strategy, url, String(from), String(to)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  });
  const waiting = new Map<string, Array<(v: unknown) => void>>();
  const arrived = new Map<string, unknown[]>();
  child.on('message', (m: Record<string, unknown>) => {
    const key = 'k' in m ? `k${String(m.k)}` : Object.keys(m)[0]!;
    const w = waiting.get(key)?.shift();
    if (w) w(m);
    else arrived.set(key, [...(arrived.get(key) ?? []), m]);
  });
  return {
    process: child,
    next: <T>(key: string) =>
      new Promise<T>((resolve) => {
        const early = arrived.get(key)?.shift();
        if (early !== undefined) return resolve(early as T);
        waiting.set(key, [...(waiting.get(key) ?? []), resolve as (v: unknown) => void]);
      })
  };
}

async function redisCpuMs(admin: Redis): Promise<number> {
  const info = await admin.info('cpu');
  const v = (k: string): number => Number(new RegExp(`${k}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return (v('used_cpu_user') + v('used_cpu_sys')) * 1000;
}

interface Result {
  appendMs: number;
  p50: number;
  p99: number;
  replicaCpuMs: number;
  redisCpuMs: number;
}

async function variant(strategy: 'xread' | 'pubsub', n: number, url: string): Promise<Result> {
  const admin = new Redis(url);
  await admin.flushall();
  const log = createLogger({ name: 'bench', level: 'silent' });
  const redis = await acquireRedis(loadConfig({ CORTEX_REDIS_URL: url, CORTEX_REDIS_TIMEOUT_MS: '30000' }).redis!, log);
  const appender = createRedisLog(redis, {
    operatorCap: 10_000,
    sessionCap: 1_000,
    sessionTtlMs: 3_600_000,
    dedupeTtlMs: 600_000
  });
  const sessions = Array.from({ length: n }, (_, i) => sessionId(i));
  const children = [startChild(strategy, url, 0, n / 2), startChild(strategy, url, n / 2, n)];
  try {
    await Promise.all(children.map((c) => c.next('ready')));
    const latencies: number[] = [];
    const appends: number[] = [];
    let cpu0 = 0;
    let redis0 = 0;
    for (let k = 0; k < WARMUP + EVENTS; k++) {
      if (k === WARMUP) {
        cpu0 = (await Promise.all(children.map(cpuOf))).reduce((a, b) => a + b, 0);
        redis0 = await redisCpuMs(admin);
      }
      const seen = children.map((c) => c.next<{ at: number }>(`k${k}`));
      const t0 = performance.timeOrigin + performance.now();
      await appender.append({
        key: `bench-${strategy}-${n}-${k}`,
        operator: { event: Events.HealingProgress.type, data: '{}', named: [], healingId: 'bench' },
        frames: [{ event: 'healing_progress', data: JSON.stringify({ k, pad: PAD }), to: sessions }]
      });
      const appended = performance.timeOrigin + performance.now();
      if (strategy === 'pubsub') {
        const wake = redis.client.pipeline();
        for (const s of sessions) wake.publish(`${redis.prefix}relay:w:${s}`, '1');
        await wake.exec();
      }
      const at = Math.max(...(await Promise.all(seen)).map((m) => m.at));
      if (k >= WARMUP) latencies.push(at - t0);
      if (k >= WARMUP) appends.push(appended - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
    const cpu = (await Promise.all(children.map(cpuOf))).reduce((a, b) => a + b, 0) - cpu0;
    const redisCpu = (await redisCpuMs(admin)) - redis0;
    return {
      appendMs: quantile(appends, 0.5),
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      replicaCpuMs: cpu / EVENTS,
      redisCpuMs: redisCpu / EVENTS
    };
  } finally {
    for (const c of children) c.process.kill();
    await redis.release();
    await admin.quit();
  }
}

async function cpuOf(c: Child): Promise<number> {
  const answer = c.next<{ cpuMs: number }>('cpuMs');
  c.process.send('cpu');
  return (await answer).cpuMs;
}

export async function benchRelayFollow(): Promise<Measurement[]> {
  const server = await startRedisServer();
  try {
    const out: Measurement[] = [];
    for (const n of [1_000, 10_000]) {
      const x = await variant('xread', n, server.url);
      const p = await variant('pubsub', n, server.url);
      const label = n === 1_000 ? '1k' : '10k';
      out.push(
        measurement(
          `relay_follow.xread_${label}_p50`,
          x.p50,
          'ms',
          p.p50,
          `${n} session logs over 2 replica processes; append of one event to all → read for every session; baseline: pub/sub wake-up + XRANGE`
        ),
        measurement(`relay_follow.xread_${label}_p99`, x.p99, 'ms', p.p99),
        measurement(`relay_follow.xread_${label}_replica_cpu`, x.replicaCpuMs, 'ms/event', p.replicaCpuMs, 'both replicas'),
        measurement(
          `relay_follow.xread_${label}_redis_cpu`,
          x.redisCpuMs,
          'ms/event',
          p.redisCpuMs,
          'redis-server, append included'
        ),
        measurement(
          `relay_follow.append_${label}_p50`,
          x.appendMs,
          'ms',
          null,
          `the relay's append script: one event to the operator log and ${n} session logs`
        )
      );
    }
    return out;
  } finally {
    await server.dispose();
  }
}
