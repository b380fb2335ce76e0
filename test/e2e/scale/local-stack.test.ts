import { readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startLocalStack } from '../../../local/stack/index.js';
import { testStackEnv } from '../../helpers/stack.js';

/*
 * What `npm run start:scaled` builds (privateRedis + replicas), on a smaller scale: a private redis-server stopped
 * with the stack, replicas as their own processes listed in .cortex/local.json, a balancer that stops sending to a
 * replica whose process is gone, and the refusal of replicas that would split state.
 */

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('e2e scale: the local stack with replicas and a private Redis', () => {
  it('runs replicas behind a balancer, lists them with the Redis in local.json, and stops them all', async () => {
    // Prepare
    const env = testStackEnv({ CORTEX_REPLICAS: 'healing-coordinator=2' });
    const stack = await startLocalStack({ overrides: env, privateRedis: true });
    let state: { redis?: string; replicas?: Record<string, Array<{ url: string; pid: number }>> };
    let afterKill: number[];
    const set = stack.replicas.get('healing-coordinator')!;
    try {
      state = JSON.parse(readFileSync(stack.stateFile, 'utf8')) as typeof state;
      // Act: one replica dies; the balancer keeps answering through the other
      await set.kill(0);
      afterKill = await Promise.all([1, 2, 3, 4].map(async () => (await fetch(`${set.url}/health/readiness`)).status));
    } finally {
      await stack.stop();
    }
    // Assess
    const replicas = state.replicas!['healing-coordinator']!;
    expect(state.redis).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(replicas).toHaveLength(2);
    expect(new Set(replicas.map((r) => r.pid)).size).toBe(2);
    expect(replicas.map((r) => r.pid)).not.toContain(process.pid);
    expect(afterKill).toEqual([200, 200, 200, 200]);
    expect(replicas.map((r) => alive(r.pid))).toEqual([false, false]);
    expect(await listening(Number(new URL(state.redis!).port))).toBe(false);
    expect(stack.functions.has('healing-coordinator')).toBe(false);
    expect(stack.functions.has('error-intake')).toBe(true);
  }, 180_000);

  it('refuses two coordinator replicas without Redis, with a clear error', async () => {
    // Act
    const start = startLocalStack({ overrides: testStackEnv({ CORTEX_REPLICAS: 'healing-coordinator=2' }) });
    // Assess
    await expect(start).rejects.toThrow(/set CORTEX_REDIS_URL \(or run npm run start:scaled/);
  }, 60_000);
});
