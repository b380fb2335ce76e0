import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../shared/runtime/logging.js';
import { startBroker } from '../local/broker/index.js';
import { measurement, pool, quantile, type Measurement } from './measure.js';
import { Events } from '../shared/events/catalog.js';

/*
 * Broker ingress → subscriber delivery, for a 1 KiB event over loopback, against a raw node:http POST straight to
 * the same subscriber (the baseline). Latency is send → arrival at the subscriber.
 */

const EVENTS = 4000;
const CONCURRENCY = 32;
const SEQUENTIAL = 1000;
const data = JSON.stringify({ pad: 'x'.repeat(1024 - 10) });

interface Subscriber {
  url: string;
  arrivals: Map<string, number>;
  close(): Promise<void>;
}

async function subscriber(): Promise<Subscriber> {
  const arrivals = new Map<string, number>();
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    const id = req.headers['ce-id'] as string;
    req.resume();
    req.on('end', () => {
      arrivals.set(id, performance.now());
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    arrivals,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      })
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(url: string, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'ce-specversion': '1.0',
          'ce-id': id,
          'ce-source': '/bench',
          'ce-type': Events.ChatDelayed.type,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data)
        }
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function drive(
  url: string,
  sub: Subscriber,
  prefix: string,
  concurrency = CONCURRENCY,
  events = EVENTS
): Promise<{ rate: number; p50: number; p99: number }> {
  const ids = Array.from({ length: events }, (_, i) => `${prefix}-${i}`);
  const sent = new Map<string, number>();
  const t0 = performance.now();
  await pool(ids, concurrency, async (id) => {
    sent.set(id, performance.now());
    const status = await post(url, id);
    if (status >= 300) throw new Error(`${url} answered ${status}`);
  });
  while (ids.some((id) => !sub.arrivals.has(id))) await new Promise((r) => setTimeout(r, 5));
  const last = Math.max(...ids.map((id) => sub.arrivals.get(id)!));
  const latencies = ids.map((id) => sub.arrivals.get(id)! - sent.get(id)!);
  return { rate: events / ((last - t0) / 1000), p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

export async function benchBroker(): Promise<Measurement[]> {
  const sub = await subscriber();
  const log = createLogger({ name: 'bench', level: 'silent' });
  const broker = await startBroker({
    namespace: 'cortex',
    brokers: [],
    triggers: [
      {
        apiVersion: 'eventing.knative.dev/v1',
        kind: 'Trigger',
        metadata: { name: 'bench' },
        spec: {
          broker: 'default',
          filter: { attributes: { type: Events.ChatDelayed.type } },
          subscriber: { uri: sub.url }
        }
      }
    ],
    resolve: (d) => d.uri,
    log
  });
  try {
    await drive(sub.url, sub, 'warm-raw');
    await drive(broker.url, sub, 'warm-broker');
    const raw = await drive(sub.url, sub, 'raw');
    const via = await drive(broker.url, sub, 'broker');
    // One event at a time: what the broker adds to a single delivery, without queueing behind others.
    const rawOne = await drive(sub.url, sub, 'raw-one', 1, SEQUENTIAL);
    const viaOne = await drive(broker.url, sub, 'broker-one', 1, SEQUENTIAL);
    return [
      measurement(
        'broker.delivery_rate',
        via.rate,
        'events/s',
        raw.rate,
        `1 KiB events, ${EVENTS} at concurrency ${CONCURRENCY}; baseline: raw node:http POST to the subscriber`
      ),
      measurement('broker.latency_p50', via.p50, 'ms', raw.p50, 'send → arrival at the subscriber'),
      measurement('broker.latency_p99', via.p99, 'ms', raw.p99, 'send → arrival at the subscriber'),
      measurement('broker.added_latency_p50', via.p50 - raw.p50, 'ms', null, 'broker p50 minus raw p50'),
      measurement('broker.added_latency_p99', via.p99 - raw.p99, 'ms', null, 'broker p99 minus raw p99'),
      measurement('broker.single_latency_p50', viaOne.p50, 'ms', rawOne.p50, `one event at a time (${SEQUENTIAL} events)`),
      measurement('broker.single_latency_p99', viaOne.p99, 'ms', rawOne.p99, `one event at a time (${SEQUENTIAL} events)`)
    ];
  } finally {
    await broker.stop();
    await sub.close();
  }
}
