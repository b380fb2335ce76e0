import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { packageRoot } from '../shared/runtime/package-root.js';
import { measurement, pool, quantile, type Measurement } from './measure.js';
import { Events } from '../shared/events/catalog.js';

/*
 * Broker ingress → subscriber delivery, for a 1 KiB event over loopback, against a raw node:http POST straight to
 * the same subscriber (the baseline). Latency is send → arrival at the subscriber.
 *
 * The broker runs in its own process (bench/broker-process.ts), the client and the subscriber in this one: in a
 * cluster Knative's ingress and dispatcher run in their own pods, apart from senders and subscribers, so this is the
 * faithful set-up (as bench/checks.ts runs each check in its own process). With all three in one event loop the
 * broker's path paid its two HTTP exchanges on the same core as the client's and the subscriber's.
 * `broker.cpu_per_event` is the broker process's CPU time per delivered event, against this process's CPU time per
 * raw event (one POST's client and server ends): the figure the machine's noise moves least.
 * BENCH_BROKER_PROF=<dir> runs the broker with `node --cpu-prof` and writes its profile there.
 */

const EVENTS = 4000;
/** Raw and broker runs alternate, so both see the same machine noise; each figure is over all rounds. */
const ROUNDS = 3;
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
): Promise<Run> {
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
  return { rate: events / ((last - t0) / 1000), latencies };
}

interface Run {
  rate: number;
  /** Send → arrival, ms, one per event. */
  latencies: number[];
}

/** Rounds of one kind as one figure: the median round's rate, latency quantiles over every event. */
function combine(runs: Run[]): { rate: number; p50: number; p99: number } {
  const latencies = runs.flatMap((r) => r.latencies);
  return {
    rate: quantile(
      runs.map((r) => r.rate),
      0.5
    ),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99)
  };
}

interface BrokerProcess {
  url: string;
  /** The broker process's CPU time so far, in µs. */
  cpuUs(): Promise<number>;
  stop(): Promise<void>;
}

/** The broker as its own process (bench/broker-process.ts), delivering to `subscriberUrl`; resolves once it listens. */
function startBrokerProcess(subscriberUrl: string): Promise<BrokerProcess> {
  const profileDir = process.env.BENCH_BROKER_PROF;
  const child: ChildProcess = fork(path.join(packageRoot(), 'bench/broker-process.ts'), [], {
    execArgv: ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  });
  const reply = <T>(kind: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`the broker process exited (${code})`));
      child.once('exit', onExit);
      const onMessage = (m: { kind?: string } & T): void => {
        if (m.kind !== kind) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m);
      };
      child.on('message', onMessage);
    });
  const listening = reply<{ url: string }>('listening');
  child.send({ kind: 'config', subscriber: subscriberUrl });
  return listening.then(({ url }) => ({
    url,
    cpuUs: () => {
      const answer = reply<{ us: number }>('cpu');
      child.send({ kind: 'cpu' });
      return answer.then((m) => m.us);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ kind: 'stop' });
      })
  }));
}

const cpuUs = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

export async function benchBroker(): Promise<Measurement[]> {
  const sub = await subscriber();
  const broker = await startBrokerProcess(sub.url);
  try {
    await drive(sub.url, sub, 'warm-raw');
    await drive(broker.url, sub, 'warm-broker');
    const raws: Run[] = [];
    const vias: Run[] = [];
    let rawCpu = 0;
    let brokerCpu = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const rawCpu0 = cpuUs();
      raws.push(await drive(sub.url, sub, `raw-${round}`));
      rawCpu += cpuUs() - rawCpu0;
      const brokerCpu0 = await broker.cpuUs();
      vias.push(await drive(broker.url, sub, `broker-${round}`));
      brokerCpu += (await broker.cpuUs()) - brokerCpu0;
    }
    const raw = combine(raws);
    const via = combine(vias);
    const rawCpuPerEvent = rawCpu / (EVENTS * ROUNDS);
    const brokerCpuPerEvent = brokerCpu / (EVENTS * ROUNDS);
    // One event at a time: what the broker adds to a single delivery, without queueing behind others.
    const rawOne = combine([await drive(sub.url, sub, 'raw-one', 1, SEQUENTIAL)]);
    const viaOne = combine([await drive(broker.url, sub, 'broker-one', 1, SEQUENTIAL)]);
    return [
      measurement(
        'broker.delivery_rate',
        via.rate,
        'events/s',
        raw.rate,
        `1 KiB events, ${EVENTS} at concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds alternating with the baseline: raw node:http POST to the subscriber`
      ),
      measurement('broker.latency_p50', via.p50, 'ms', raw.p50, 'send → arrival at the subscriber'),
      measurement('broker.latency_p99', via.p99, 'ms', raw.p99, 'send → arrival at the subscriber'),
      measurement('broker.added_latency_p50', via.p50 - raw.p50, 'ms', null, 'broker p50 minus raw p50'),
      measurement('broker.added_latency_p99', via.p99 - raw.p99, 'ms', null, 'broker p99 minus raw p99'),
      measurement('broker.single_latency_p50', viaOne.p50, 'ms', rawOne.p50, `one event at a time (${SEQUENTIAL} events)`),
      measurement('broker.single_latency_p99', viaOne.p99, 'ms', rawOne.p99, `one event at a time (${SEQUENTIAL} events)`),
      measurement(
        'broker.cpu_per_event',
        brokerCpuPerEvent,
        'µs',
        rawCpuPerEvent,
        `the broker process's CPU per event at concurrency ${CONCURRENCY}; baseline: this process's CPU per raw POST (client and subscriber)`
      )
    ];
  } finally {
    await broker.stop();
    await sub.close();
  }
}
