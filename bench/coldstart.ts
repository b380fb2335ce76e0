import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { FUNCTION_NAMES } from '../functions/index.js';
import { measurement, quantile, type Measurement } from './measure.js';

/*
 * Cold start, as Knative pays it after a scale to zero: from spawning `node dist/functions/main.js` (what the image
 * runs) with CORTEX_FUNCTION set to the first 200 from /health/readiness, polled every 2 ms. Baseline: a bare node:http
 * server (bench/bare-server.mjs) spawned the same way. The kinds alternate run by run, so both see the same machine
 * noise; each figure is the median of RUNS starts. `npm run bench` builds first when the sources changed (prebench).
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

/** Milliseconds from spawning `node file` to its first 200 from /health/readiness. */
async function start(file: string, env: Record<string, string>): Promise<number> {
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
    return performance.now() - t0;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** {@link start}, again when the child died: on a shared machine another process may take the free port first. */
async function startRetrying(file: string, env: Record<string, string>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(file, env);
    } catch (err) {
      if (attempt >= 3 || !/exited before it was ready/.test((err as Error).message)) throw err;
    }
  }
}

export async function benchColdstart(): Promise<Measurement[]> {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build (npm run bench does it first)`);
  const bare: number[] = [];
  const times = new Map<string, number[]>(FUNCTION_NAMES.map((name) => [name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const name of FUNCTION_NAMES) {
      bare.push(await startRetrying(BARE, {}));
      times.get(name)!.push(await startRetrying(ENTRY, { CORTEX_FUNCTION: name }));
    }
  }
  const baseline = quantile(bare, 0.5);
  return FUNCTION_NAMES.map((name) =>
    measurement(`coldstart.${name}`, quantile(times.get(name)!, 0.5), 'ms', baseline, `median of ${RUNS} starts`)
  );
}
