import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CloudEvent, HTTP } from 'cloudevents';
import { Events } from '../shared/events/catalog.js';
import { createSigner } from '../shared/trust/signature.js';
import { sessionToken } from '../shared/session/token.js';
import { post } from './http.js';
import { measurement, quantile, type Measurement } from './measure.js';
import { connectClients, type SseClients } from './sse-clients.js';
import { sessionId } from './relay-keys.js';

/*
 * The SSE relay with 1,000 and 10,000 connected session streams (distinct sessions), and 1,000 operator streams.
 * Fan-out: one healing.started names every session (so they all follow one healing), then each timed event is a
 * small healing.progress that names only the healingId: one delivery reaching N browsers, which is how a healing's
 * events reach the sessions following it, and keeps the POST itself small so the timing is the fan-out, not parsing.
 * On operator streams every event goes to every stream.
 *
 * Latency: POST to the relay sent → each client received the event (p50/p99 over all clients and events). Memory:
 * RSS of the relay process with N clients minus without, / N, after a full GC. The relay runs in a child process,
 * the clients in this one. Baseline: a bare node:http SSE server (also a child) that formats the POSTed event once
 * and writes that frame to N responses.
 */

const EVENTS = 20;
const WARMUP = 2;
export const SECRET = 'bench-session-secret-0123456789';
const OPERATOR_TOKEN = 'bench-operator-token-0123456789';
/** The relay takes a stream's events only signed with the stream key, as the coordinator sends them. */
const STREAM_KEY = 'bench-stream-key-'.padEnd(64, '0');
const signer = createSigner([STREAM_KEY]);
const HEALING_ID = 'bench-healing';
const TARGET = { namespace: 'demo', service: 'mcp-demo' };

export interface Child {
  url: string;
  rss(): Promise<number>;
  /** CPU time (user + system) the child has used so far, in ms. */
  cpu(): Promise<number>;
  /** Writes a heap snapshot (after a full GC) in the temporary directory; resolves with its file name. */
  snapshot(): Promise<string>;
  stop(): Promise<void>;
}

/** A relay (or the bare baseline) in a child process; `redisUrl` puts the relay's logs on Redis. */
export async function startChild(mode: 'relay' | 'bare', redisUrl?: string): Promise<Child> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./relay-child.ts', import.meta.url)), [mode], {
    // BENCH_RELAY_NODE_ARGS: more node flags for the child (e.g. `--cpu-prof --cpu-prof-dir=prof`; it writes the profile when
    // the parent disconnects).
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_RELAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
    env: {
      ...process.env,
      BENCH_SESSION_SECRET: SECRET,
      BENCH_OPERATOR_TOKEN: OPERATOR_TOKEN,
      BENCH_STREAM_KEY: STREAM_KEY,
      ...(redisUrl ? { BENCH_REDIS_URL: redisUrl } : {})
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  });
  const next = <T>(key: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: Record<string, T>): void => {
        if (!(key in m)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m[key]!);
      };
      const onExit = (code: number | null): void => reject(new Error(`relay child (${mode}) exited with ${code}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const url = await next<string>('url');
  return {
    url,
    rss: () => {
      const answer = next<number>('rss');
      child.send('rss');
      return answer;
    },
    cpu: () => {
      const answer = next<number>('cpu');
      child.send('cpu');
      return answer;
    },
    snapshot: () => {
      const answer = next<string>('snapshot');
      child.send('snapshot');
      return answer;
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      })
  };
}

function binary(type: string, data: unknown, id: string): { body: string; headers: Record<string, string> } {
  const m = HTTP.binary(
    new CloudEvent<unknown>({
      specversion: '1.0',
      id,
      source: '/cortex/healing-coordinator',
      type,
      datacontenttype: 'application/json',
      data
    })
  );
  return { body: m.body as string, headers: m.headers as Record<string, string> };
}

let eventCounter = 0;

async function send(url: string, type: string, data: Record<string, unknown>): Promise<void> {
  const def = type === Events.HealingStarted.type ? Events.HealingStarted : Events.HealingProgress;
  const parsed = def.data.parse(data) as Record<string, unknown>;
  const sent = signer.sign(type, parsed, new Date(Date.now() + 10 * 60_000));
  const { body, headers } = binary(type, sent, `bench-relay-${++eventCounter}`);
  const status = await post(`${url}/`, body, headers);
  if (status !== 202) throw new Error(`the server answered ${status} to ${type}`);
}

const progress = (k: number): Record<string, unknown> => ({
  healingId: HEALING_ID,
  stage: 'diagnose',
  message: `fanout-${k}`,
  done: k,
  total: EVENTS + WARMUP,
  target: TARGET
});

/** Opens the healing every one of `n` sessions follows, and waits until every client has its start. */
export async function startHealing(clients: SseClients, url: string, n: number, safetyMs?: number): Promise<void> {
  const started = clients.expect('event: healing_start', safetyMs);
  await send(url, Events.HealingStarted.type, {
    healingId: HEALING_ID,
    target: TARGET,
    reason: 'bench',
    checks: ['pod-status'],
    sessionIds: Array.from({ length: n }, (_, i) => sessionId(i))
  });
  await started;
}

/** Times EVENTS progress events (after WARMUP), event k POSTed to `to(k)`: POST sent → each client received it. */
export async function timeEvents(clients: SseClients, to: (k: number) => string, safetyMs?: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let k = 0; k < WARMUP + EVENTS; k++) {
    const seen = clients.expect(`fanout-${k}"`, safetyMs);
    const t0 = performance.now();
    await send(to(k), Events.HealingProgress.type, progress(k));
    const times = await seen;
    if (k >= WARMUP) for (const t of times) latencies.push(t - t0);
    await new Promise((r) => setTimeout(r, 20));
  }
  return latencies;
}

interface Result {
  n: number;
  p50: number;
  p99: number;
  rssPerClientKiB: number;
  /** The server process's CPU time per timed event (POST handled and fanned out), ms. */
  cpuPerEvent: number;
  errors: string[];
}

async function variant(kind: 'session' | 'operator' | 'bare', n: number): Promise<Result> {
  const child = await startChild(kind === 'bare' ? 'bare' : 'relay');
  try {
    const urlOf = (i: number): string =>
      kind === 'session'
        ? `${child.url}/events?session=${sessionId(i)}&token=${sessionToken(SECRET, sessionId(i))}`
        : kind === 'operator'
          ? `${child.url}/events?operator=1&token=${OPERATOR_TOKEN}&history=0`
          : `${child.url}/events`;
    // Warm the code paths (one stream, one event) before the memory baseline.
    const warm = await connectClients([urlOf(n)]);
    await send(child.url, Events.HealingProgress.type, {
      ...(progress(0) as object),
      message: 'warm',
      healingId: 'bench-warm'
    });
    warm.close();
    await new Promise((r) => setTimeout(r, 100));
    const rss0 = await child.rss();

    const clients = await connectClients(Array.from({ length: n }, (_, i) => urlOf(i)));
    const rssN = await child.rss();
    console.log(
      `  relay: ${kind} ×${n}: ${clients.connected} connected${clients.errors.length ? ` (${clients.errors.join(', ')})` : ''}`
    );
    if (kind === 'session') await startHealing(clients, child.url, n);
    const cpu0 = await child.cpu();
    const latencies = await timeEvents(clients, () => child.url);
    const cpuPerEvent = ((await child.cpu()) - cpu0) / (WARMUP + EVENTS);
    clients.close();
    const connected = clients.connected;
    return {
      n: connected,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      rssPerClientKiB: connected ? (rssN - rss0) / connected / 1024 : NaN,
      cpuPerEvent,
      errors: clients.errors
    };
  } finally {
    await child.stop();
  }
}

export async function benchRelay(): Promise<Measurement[]> {
  const s1k = await variant('session', 1000);
  const b1k = await variant('bare', 1000);
  const o1k = await variant('operator', 1000);
  const s10k = await variant('session', 10_000);
  const b10k = await variant('bare', 10_000);

  const reached = (r: Result, n: number): string =>
    r.n === n ? `${n} clients` : `only ${r.n} of ${n} clients connected: ${r.errors.join(', ')}`;
  const fan = `POST → each client received one event, ${EVENTS} events; baseline: bare node:http SSE server writing one frame to N responses`;
  const mem = 'relay process RSS with N clients minus without, / N (after GC); baseline: the bare server';
  return [
    measurement(
      'relay.session_1k_p50',
      s1k.p50,
      'ms',
      b1k.p50,
      `${reached(s1k, 1000)} on distinct sessions of one healing; ${fan}`
    ),
    measurement('relay.session_1k_p99', s1k.p99, 'ms', b1k.p99),
    measurement(
      'relay.session_10k_p50',
      s10k.p50,
      'ms',
      b10k.p50,
      `${reached(s10k, 10_000)}; bare: ${reached(b10k, 10_000)}`
    ),
    measurement('relay.session_10k_p99', s10k.p99, 'ms', b10k.p99),
    measurement(
      'relay.operator_1k_p50',
      o1k.p50,
      'ms',
      b1k.p50,
      `${reached(o1k, 1000)} operator streams (the whole CloudEvent each)`
    ),
    measurement('relay.operator_1k_p99', o1k.p99, 'ms', b1k.p99),
    measurement('relay.rss_per_session_1k', s1k.rssPerClientKiB, 'KiB', b1k.rssPerClientKiB, mem),
    measurement('relay.rss_per_session_10k', s10k.rssPerClientKiB, 'KiB', b10k.rssPerClientKiB, mem),
    measurement('relay.rss_per_operator_1k', o1k.rssPerClientKiB, 'KiB', b1k.rssPerClientKiB, mem),
    measurement(
      'relay.cpu_per_event_10k',
      s10k.cpuPerEvent,
      'ms',
      b10k.cpuPerEvent,
      "server process CPU time (user + system) per event fanned out to 10,000 session streams; less sensitive to the machine's load than the latencies; baseline: the bare server"
    )
  ];
}
