import { Redis } from 'ioredis';
import { startRedisServer } from '../local/redis/server.js';
import { sessionToken } from '../shared/session/token.js';
import { measurement, quantile, type Measurement } from './measure.js';
import { SECRET, startChild, startHealing, timeEvents } from './relay.js';
import { sessionId } from './relay-keys.js';
import { connectClients } from './sse-clients.js';

/*
 * The relay's fan-out on Redis across replicas (DESIGN §7, §11): 1,000 and 10,000 session streams (distinct sessions
 * of one healing) spread over 2 relay processes, against the same clients on 1 relay process, both on one private
 * redis-server. Events are POSTed to the replicas in turn, as a balancer in front of a Knative Service spreads the
 * Trigger's deliveries; so half of what a client sees was received by the other replica. Latency: POST sent → each
 * client received the event (p50/p99 over all clients and events). The two layouts run in turn, twice (1, 2, 2, 1),
 * and each figure is the mean of its two runs, so a machine whose load drifts weighs on both alike.
 */

interface Result {
  p50: number;
  p99: number;
  connected: number;
}

async function fanout(n: number, replicas: number, url: string): Promise<Result> {
  const admin = new Redis(url);
  await admin.flushall();
  await admin.quit();
  const children = await Promise.all(Array.from({ length: replicas }, () => startChild('relay', url)));
  try {
    const clients = await connectClients(
      Array.from(
        { length: n },
        (_, i) => `${children[i % replicas]!.url}/events?session=${sessionId(i)}&token=${sessionToken(SECRET, sessionId(i))}`
      )
    );
    console.log(`  relay on Redis: ${replicas} replica(s) ×${n}: ${clients.connected} connected`);
    await startHealing(clients, children[0]!.url, n, 120_000);
    const latencies = await timeEvents(clients, (k) => children[k % replicas]!.url, 120_000);
    clients.close();
    return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), connected: clients.connected };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

export async function benchRelayReplicas(): Promise<Measurement[]> {
  const server = await startRedisServer();
  try {
    const out: Measurement[] = [];
    for (const n of [1_000, 10_000]) {
      const runs = [await fanout(n, 1, server.url), await fanout(n, 2, server.url)];
      runs.push(await fanout(n, 2, server.url), await fanout(n, 1, server.url));
      const mean = (a: Result, b: Result): Result => ({
        p50: (a.p50 + b.p50) / 2,
        p99: (a.p99 + b.p99) / 2,
        connected: Math.min(a.connected, b.connected)
      });
      const [one, two] = [mean(runs[0]!, runs[3]!), mean(runs[1]!, runs[2]!)];
      const label = n === 1_000 ? '1k' : '10k';
      out.push(
        measurement(
          `relay.redis_2_replicas_${label}_p50`,
          two.p50,
          'ms',
          one.p50,
          `${two.connected} session streams over 2 relay processes on Redis, events POSTed to each in turn; ` +
            `baseline: ${one.connected} streams on 1 relay process on Redis`
        ),
        measurement(`relay.redis_2_replicas_${label}_p99`, two.p99, 'ms', one.p99)
      );
    }
    return out;
  } finally {
    await server.dispose();
  }
}
