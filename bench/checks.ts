import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CloudEvent, HTTP } from 'cloudevents';
import { startSimulator } from '../local/kube-sim/index.js';
import { Events } from '../shared/events/catalog.js';
import { fromHttp } from '../shared/events/http.js';
import { CHECKS } from '../shared/events/schemas.js';
import { createKubePort } from '../shared/kube/client-node.js';
import { packageRoot } from '../shared/runtime/package-root.js';
import { createSigner } from '../shared/trust/signature.js';
import { post, readBody, serve } from './http.js';
import { measurement, quantile, type Measurement } from './measure.js';

/*
 * The eight diagnostic checks on one target (the simulator's demo seed, mcp-demo in CrashLoopBackOff), each in its
 * own process (local/stack/replica.ts, as a pod runs it) reading the simulator through the client-node adapter. One
 * run POSTs diagnosis.requested to all eight and times first POST → eighth diagnosis.completed at the sink: all eight
 * at once (what the Broker's fan-out does) against the same eight one after another (the baseline). The two kinds
 * alternate run by run, so both see the same machine noise. CPU time per check invocation: each process's user +
 * system time (/proc/<pid>/stat) over the measured runs, divided by its invocations: what limits eight checks on two
 * cores (in a cluster each has its own pod).
 */

interface CheckProcess {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const ROOT = packageRoot();
/** BENCH_CHECKS_PROF=<dir> runs each check with `node --cpu-prof` and writes its profile there (on exit). */
const PROFILE_DIR = process.env.BENCH_CHECKS_PROF;
/** The checks take diagnosis.requested only signed with the diagnosis key, as the coordinator sends it. */
const DIAGNOSIS_KEY = 'bench-diagnosis-key-'.padEnd(64, '0');
const signer = createSigner([DIAGNOSIS_KEY]);

/** One check as its own process; resolves once it listens. */
function startCheck(name: string, env: Record<string, string>): Promise<CheckProcess> {
  const child: ChildProcess = fork(path.join(ROOT, 'local/stack/replica.ts'), [], {
    execArgv: ['--import', 'tsx', ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])],
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  });
  child.send({ kind: 'config', env: { ...env, CORTEX_FUNCTION: name } });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening`)));
    child.once('message', (m: { kind?: string; url?: string }) => {
      if (m.kind !== 'listening' || !m.url) return;
      resolve({
        name,
        url: m.url,
        pid: child.pid!,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          })
      });
    });
  });
}

/** User + system CPU time of a process so far, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ", field 3 is the state: utime and stime are fields 14 and 15 of the whole line.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const RUNS = 40;
const WARMUP = 3;
const TARGET = { namespace: 'demo', service: 'mcp-demo' };

interface Arrivals {
  url: string;
  /** Resolves with the arrival time (performance.now()) of the `count`-th diagnosis.completed for `healingId`. */
  waitFor(healingId: string, count: number): Promise<number>;
  close(): Promise<void>;
}

async function arrivalSink(): Promise<Arrivals> {
  const seen = new Map<string, number>();
  const waiters = new Map<string, { count: number; resolve: (t: number) => void }>();
  const served = await serve(async (req, res) => {
    const body = await readBody(req);
    const at = performance.now();
    const event = fromHttp(req.headers, body);
    const healingId = (event.data as { healingId: string }).healingId;
    const n = (seen.get(healingId) ?? 0) + 1;
    seen.set(healingId, n);
    const w = waiters.get(healingId);
    if (w && n >= w.count) {
      waiters.delete(healingId);
      w.resolve(at);
    }
    res.writeHead(202).end();
  });
  return {
    url: served.url,
    waitFor: (healingId, count) =>
      new Promise((resolve) => {
        if ((seen.get(healingId) ?? 0) >= count) throw new Error(`${healingId} already complete before waiting`);
        waiters.set(healingId, { count, resolve });
      }),
    close: served.close
  };
}

let counter = 0;

function request(healingId: string): { body: string; headers: Record<string, string> } {
  const event = new CloudEvent<unknown>({
    specversion: '1.0',
    id: `bench-dr-${++counter}`,
    source: '/cortex/healing-coordinator',
    type: Events.DiagnosisRequested.type,
    datacontenttype: 'application/json',
    data: signer.sign(
      Events.DiagnosisRequested.type,
      Events.DiagnosisRequested.data.parse({ healingId, target: TARGET, phase: 'diagnose', checks: [...CHECKS] }) as Record<
        string,
        unknown
      >,
      new Date(Date.now() + 10 * 60_000)
    )
  });
  const m = HTTP.binary(event);
  return { body: m.body as string, headers: m.headers as Record<string, string> };
}

async function once(checks: CheckProcess[], sink: Arrivals, mode: 'parallel' | 'sequential'): Promise<number> {
  const healingId = `bench-${mode}-${counter}`;
  const done = sink.waitFor(healingId, checks.length);
  const send = async (fn: CheckProcess): Promise<void> => {
    const { body, headers } = request(healingId);
    const status = await post(`${fn.url}/`, body, headers);
    if (status !== 202) throw new Error(`${fn.name} answered ${status}`);
  };
  const t0 = performance.now();
  if (mode === 'parallel') await Promise.all(checks.map(send));
  else for (const fn of checks) await send(fn);
  return (await done) - t0;
}

export async function benchChecks(): Promise<Measurement[]> {
  const sim = await startSimulator({ seed: 'demo', podStartMs: 0, backoffBaseMs: 1000 });
  const sink = await arrivalSink();
  const checks: CheckProcess[] = [];
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cortex-bench-'));
    const kubeconfig = await sim.writeKubeconfig(path.join(dir, 'kubeconfig.yaml'));
    await createKubePort({ kubeconfigPath: kubeconfig, timeoutMs: 5000 }).patchDeployment(
      TARGET.namespace,
      TARGET.service,
      { metadata: { annotations: { 'sim.cortex.dev/fault': 'crashloop' } } },
      { strategy: 'merge' }
    );
    await sim.waitFor(
      () =>
        sim
          .list('Pod', TARGET.namespace, `app=${TARGET.service}`)
          .some((p) => JSON.stringify(p.status ?? {}).includes('CrashLoopBackOff')),
      { message: 'mcp-demo in CrashLoopBackOff', timeoutMs: 20_000 }
    );
    const overrides = {
      PORT: '0',
      HOST: '127.0.0.1',
      K_SINK: `${sink.url}/`,
      KUBECONFIG: kubeconfig,
      CORTEX_LOG_LEVEL: 'silent',
      CORTEX_DIAGNOSIS_KEY: DIAGNOSIS_KEY
    };
    checks.push(...(await Promise.all(CHECKS.map((check) => startCheck(`check-${check}`, overrides)))));

    const parallel: number[] = [];
    const sequential: number[] = [];
    let cpuBefore: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      if (i === WARMUP) cpuBefore = checks.map((c) => cpuMs(c.pid));
      // Alternate which kind goes first, so neither always follows the other.
      const order = i % 2 === 0 ? (['parallel', 'sequential'] as const) : (['sequential', 'parallel'] as const);
      for (const mode of order) {
        const ms = await once(checks, sink, mode);
        if (i >= WARMUP) (mode === 'parallel' ? parallel : sequential).push(ms);
      }
      if ((i + 1) % 10 === 0) console.log(`  checks: ${i + 1}/${WARMUP + RUNS} runs`);
    }
    // Every measured run invokes every check twice (once in parallel, once in sequence).
    const perInvocation = checks.map((c, i) => (cpuMs(c.pid) - cpuBefore[i]!) / (RUNS * 2));
    const cpuMean = perInvocation.reduce((a, b) => a + b, 0) / perInvocation.length;
    const note = `${checks.length} checks on mcp-demo (crashloop), ${RUNS} runs; first POST → last diagnosis.completed at the sink; each check its own process, the simulator in this one`;
    const p50 = quantile(parallel, 0.5);
    const p99 = quantile(parallel, 0.99);
    const s50 = quantile(sequential, 0.5);
    const s99 = quantile(sequential, 0.99);
    return [
      measurement('checks.parallel_p50', p50, 'ms', s50, `${note}; baseline: the same eight one after another`),
      measurement('checks.parallel_p99', p99, 'ms', s99, 'baseline: sequential p99'),
      measurement(
        'checks.sequential_p50',
        s50,
        'ms',
        null,
        'the eight one after another, interleaved with the parallel runs'
      ),
      measurement('checks.sequential_p99', s99, 'ms', null),
      measurement('checks.speedup_p50', s50 / p50, 'x', null, 'sequential p50 / parallel p50'),
      measurement(
        'checks.cpu_per_invocation',
        cpuMean,
        'ms',
        null,
        `user+system CPU per diagnosis.requested, mean of the check processes (${checks.map((c, i) => `${c.name.replace('check-', '')} ${perInvocation[i]!.toFixed(1)}`).join(', ')})`
      )
    ];
  } finally {
    await Promise.all(checks.map((c) => c.stop()));
    await sink.close();
    await sim.stop();
  }
}
