import type { LocalStack } from '../../local/stack/index.js';
import { startRedisServer, type RedisServer } from '../../local/redis/server.js';
import { openSse, type SseClient } from '../../local/stack/sse-client.js';
import { kubectl } from './kubectl.js';
import { startTestStack, type StreamedEvent } from './stack.js';

/*
 * A local stack with shared state for the chaos tests: a private redis-server and the functions CORTEX_REPLICAS names
 * as separate processes; the operator stream read incrementally (a storm puts tens of thousands of events on it).
 */

export interface ScaledStack {
  stack: LocalStack;
  redis: RedisServer;
  /** The operator stream, followed across relay restarts. */
  ops: OperatorWatch;
  stop(): Promise<void>;
}

export interface OperatorWatch {
  /** Every CloudEvent seen so far, parsed once each. */
  events(): readonly StreamedEvent[];
  /** Resolves once `predicate` holds over what was seen. */
  until(predicate: (events: readonly StreamedEvent[]) => boolean, safetyMs: number): Promise<void>;
  close(): void;
}

/**
 * The operator stream as a browser follows it: when the relay ends it (Redis went away, a replica died) it opens it
 * again with Last-Event-ID, every 250 ms until the relay answers, and the events go on in one list.
 */
export async function followOperators(stack: LocalStack): Promise<OperatorWatch> {
  const url = `${stack.state.frontDoor}/events?operator=1&token=${stack.state.operatorToken}&history=0`;
  const parsed: StreamedEvent[] = [];
  const waiters = new Set<() => void>();
  let lastId: string | undefined;
  let closed = false;
  let current = await openSse(url);
  if (current.status !== 200) throw new Error(`operator stream answered ${current.status}`);
  const follow = async (client: SseClient): Promise<void> => {
    let read = 0;
    await client
      .until(() => {
        for (; read < client.messages.length; read++) {
          const m = client.messages[read]!;
          if (m.id) lastId = m.id;
          if (m.event.startsWith('dev.cortex.')) parsed.push(JSON.parse(m.data) as StreamedEvent);
        }
        for (const w of [...waiters]) w();
        return client.ended || closed;
      }, 24 * 3_600_000)
      .catch(() => undefined);
  };
  void (async () => {
    for (;;) {
      await follow(current);
      if (closed) return;
      for (;;) {
        await new Promise((r) => setTimeout(r, 250));
        if (closed) return;
        const next = await openSse(url, lastId ? { 'last-event-id': lastId } : {}).catch(() => undefined);
        if (next?.status === 200) {
          current = next;
          break;
        }
      }
    }
  })();
  return {
    events: () => parsed,
    until: (predicate, safetyMs) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate(parsed)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const counts: Record<string, number> = {};
          for (const e of parsed) counts[e.type] = (counts[e.type] ?? 0) + 1;
          reject(new Error(`operator stream: condition not met; seen ${JSON.stringify(counts)}`));
        }, safetyMs);
        waiters.add(check);
        check();
      }),
    close: () => {
      closed = true;
      current.close();
    }
  };
}

/**
 * @example
 * const s = await startScaledStack('error-intake=3,healing-coordinator=3');
 * await s.stop();
 */
export async function startScaledStack(replicas: string, extra: Record<string, string> = {}): Promise<ScaledStack> {
  const redis = await startRedisServer();
  let stack: LocalStack | undefined;
  try {
    stack = await startTestStack({
      CORTEX_REDIS_URL: redis.url,
      CORTEX_REPLICAS: replicas,
      // A record left running by a killed replica is delivered again after this (the Triggers' timeout in a cluster).
      CORTEX_IDEMPOTENCY_RUNNING_TTL_MS: '3000',
      ...extra
    });
    const ops = await followOperators(stack);
    const s = stack;
    const scaled: ScaledStack = {
      stack: s,
      redis,
      ops,
      stop: async () => {
        scaled.ops.close();
        await s.stop();
        await redis.dispose();
      }
    };
    return scaled;
  } catch (err) {
    await stack?.stop();
    await redis.dispose();
    throw err;
  }
}

/** Scales a demo Deployment with kubectl, as an operator (or a fault) would. */
export async function scale(stack: LocalStack, deployment: string, replicas: number): Promise<void> {
  const r = await kubectl(stack.state.kubeconfig, ['-n', 'demo', 'scale', `deploy/${deployment}`, `--replicas=${replicas}`]);
  if (r.code !== 0) throw new Error(r.stderr);
}

/** Whether every replica's process is still the one that was started (none exited). */
export function pidsOf(stack: LocalStack): Record<string, number[]> {
  return Object.fromEntries([...stack.replicas].map(([n, set]) => [n, set.replicas().map((r) => (r.up ? r.pid : 0))]));
}

/** Every session some event on the operator stream was addressed to (started, joined, absorbed, outcome). */
export const sessionsIn = (events: readonly StreamedEvent[]): Set<string> =>
  new Set(events.flatMap((e) => (e.data.sessionIds as string[] | undefined) ?? []));
