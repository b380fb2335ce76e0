import type { LocalStack } from '../../local/stack/index.js';
import { startRedisServer, type RedisServer } from '../../local/redis/server.js';
import type { SseClient } from '../../local/stack/sse-client.js';
import { kubectl } from './kubectl.js';
import { operatorStream, startTestStack, type StreamedEvent } from './stack.js';

/*
 * A local stack with shared state for the chaos tests: a private redis-server and the functions CORTEX_REPLICAS names
 * as separate processes; the operator stream read incrementally (a storm puts tens of thousands of events on it).
 */

export interface ScaledStack {
  stack: LocalStack;
  redis: RedisServer;
  /** The operator stream; a test that restarts the relay replaces it. */
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

export function watchOperators(client: SseClient): OperatorWatch {
  const parsed: StreamedEvent[] = [];
  let read = 0;
  const events = (): readonly StreamedEvent[] => {
    for (; read < client.messages.length; read++) {
      const m = client.messages[read]!;
      if (m.event.startsWith('dev.cortex.')) parsed.push(JSON.parse(m.data) as StreamedEvent);
    }
    return parsed;
  };
  return {
    events,
    until: (predicate, safetyMs) =>
      client
        .until(() => predicate(events()), safetyMs)
        .catch((err: unknown) => {
          const counts: Record<string, number> = {};
          for (const e of events()) counts[e.type] = (counts[e.type] ?? 0) + 1;
          throw new Error(`operator stream: condition not met; seen ${JSON.stringify(counts)}`, { cause: err });
        }),
    close: () => client.close()
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
    const ops = watchOperators(await operatorStream(stack));
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
