import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { FUNCTION_NAMES } from '../functions/index.js';
import { Events } from '../shared/events/catalog.js';
import { encodeBinary } from '../shared/events/wire.js';
import { measurement, quantile, type Measurement } from './measure.js';

/*
 * Cold start, as Knative pays it after a scale to zero: from spawning `node dist/functions/main.js` (what the image
 * runs) with CORTEX_FUNCTION set to the first 200 from /health/readiness, polled every 2 ms. Baseline: a bare node:http
 * server (bench/bare-server.mjs) spawned the same way. The kinds alternate run by run, so both see the same machine
 * noise; each figure is the median of RUNS starts. `npm run bench` builds first when the sources changed (prebench).
 *
 * Readiness must mean "ready to take an event", not "answers probes while it still loads": `coldstart.first-event.*`
 * posts an error.reported as soon as error-intake is ready (what Knative's activator does with the request that woke
 * it) and times spawn → its 202, the event handled and its healing.requested accepted by a sink in this process
 * (against the bare server's readiness); `coldstart.first-event-latency.*` is readiness → that 202, against the same
 * function's second event.
 */

const RUNS = 7;
const ENTRY = 'dist/functions/main.js';
const BARE = 'bench/bare-server.mjs';
const SECRET = 'bench-coldstart-secret-0123456789';
const ENV = {
  K_SINK: 'http://127.0.0.1:9/',
  HOST: '127.0.0.1',
  CORTEX_LOG_LEVEL: 'warn',
  CORTEX_SESSION_SECRET: SECRET,
  CORTEX_OPERATOR_TOKEN: SECRET,
  // Every signing key: each function loads only the ones it uses (as its Secrets would be mounted).
  CORTEX_DIAGNOSIS_KEY: SECRET.repeat(4).slice(0, 64),
  CORTEX_REMEDIATION_KEY: SECRET.repeat(4).slice(1, 65),
  CORTEX_STREAM_KEY: SECRET.repeat(4).slice(2, 66),
  CORTEX_APPROVAL_KEY: SECRET.repeat(4).slice(3, 67)
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function readiness(port: number): Promise<number> {
  return new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path: '/health/readiness', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .once('error', () => resolve(0));
  });
}

/** A sink that accepts every event (202), as the Broker does; its URL. */
function startSink(): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.once('end', () => res.writeHead(202).end());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => server.close() });
    })
  );
}

/** POSTs a new error.reported to `port` in binary mode; resolves with the status. */
function postErrorReported(port: number): Promise<number> {
  const id = `cold-${process.hrtime.bigint()}`;
  const { headers, body } = encodeBinary({
    specversion: '1.0',
    id,
    source: '/cortex/chat',
    type: Events.ErrorReported.type,
    datacontenttype: 'application/json',
    data: {
      component: 'chat',
      category: 'mcp_unreachable',
      message: 'connect ECONNREFUSED 10.96.0.10:80',
      occurredAt: new Date().toISOString(),
      target: { namespace: 'demo', service: `mcp-${id}` },
      sessionId: 's-1'
    }
  });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject).end(body);
  });
}

/** What one start measured: spawn → readiness, and with `firstEvent`, readiness → the first and second events' 202. */
interface Start {
  ready: number;
  first?: number;
  second?: number;
}

/** Milliseconds from spawning `node file` to its first 200 from /health/readiness (then its events' when asked). */
async function start(file: string, env: Record<string, string>, firstEvent = false): Promise<Start> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, ...ENV, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit']
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let died = false;
  void exited.then(() => (died = true));
  try {
    while ((await readiness(port)) !== 200) {
      if (died) throw new Error(`node ${file} (${env.CORTEX_FUNCTION ?? 'bare'}) exited before it was ready`);
      if (performance.now() - t0 > 30_000) throw new Error(`node ${file} not ready after 30 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
    const ready = performance.now() - t0;
    if (!firstEvent) return { ready };
    const timed = async (): Promise<number> => {
      const t = performance.now();
      const status = await postErrorReported(port);
      if (status !== 202) throw new Error(`${env.CORTEX_FUNCTION} answered ${status} to its first event`);
      return performance.now() - t;
    };
    const first = await timed();
    return { ready, first, second: await timed() };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** {@link start}, again when the child died: on a shared machine another process may take the free port first. */
async function startRetrying(file: string, env: Record<string, string>, firstEvent = false): Promise<Start> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(file, env, firstEvent);
    } catch (err) {
      if (attempt >= 3 || !/exited before it was ready/.test((err as Error).message)) throw err;
    }
  }
}

/** The function whose first event is timed: the entry of every healing. */
const FIRST_EVENT = 'error-intake';

export async function benchColdstart(): Promise<Measurement[]> {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build (npm run bench does it first)`);
  const sink = await startSink();
  const bare: number[] = [];
  const times = new Map<string, number[]>(FUNCTION_NAMES.map((name) => [name, []]));
  const events = { spawnToFirst: [] as number[], first: [] as number[], second: [] as number[] };
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const name of FUNCTION_NAMES) {
        bare.push((await startRetrying(BARE, {})).ready);
        times.get(name)!.push((await startRetrying(ENTRY, { CORTEX_FUNCTION: name })).ready);
      }
      bare.push((await startRetrying(BARE, {})).ready);
      const s = await startRetrying(ENTRY, { CORTEX_FUNCTION: FIRST_EVENT, K_SINK: sink.url }, true);
      events.spawnToFirst.push(s.ready + s.first!);
      events.first.push(s.first!);
      events.second.push(s.second!);
    }
  } finally {
    sink.close();
  }
  const baseline = quantile(bare, 0.5);
  const median = (xs: number[]): number => quantile(xs, 0.5);
  return [
    ...FUNCTION_NAMES.map((name) =>
      measurement(`coldstart.${name}`, median(times.get(name)!), 'ms', baseline, `median of ${RUNS} starts`)
    ),
    measurement(
      `coldstart.first-event.${FIRST_EVENT}`,
      median(events.spawnToFirst),
      'ms',
      baseline,
      `spawn → the 202 of an event posted once ready; median of ${RUNS} starts`
    ),
    measurement(
      `coldstart.first-event-latency.${FIRST_EVENT}`,
      median(events.first),
      'ms',
      median(events.second),
      `readiness → the first event's 202, against the second event's; median of ${RUNS} starts`
    )
  ];
}
