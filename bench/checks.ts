import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CloudEvent, HTTP } from 'cloudevents';
import { loadFunction, type FunctionName } from '../functions/index.js';
import { startSimulator } from '../local/kube-sim/index.js';
import { Events } from '../shared/events/catalog.js';
import { fromHttp } from '../shared/events/http.js';
import { CHECKS } from '../shared/events/schemas.js';
import { createKubePort } from '../shared/kube/client-node.js';
import { run, type RunningFunction } from '../shared/runtime/run.js';
import { post, readBody, serve } from './http.js';
import { measurement, quantile, type Measurement } from './measure.js';

/*
 * The eight diagnostic checks on one target (the simulator's demo seed, mcp-demo in CrashLoopBackOff), each served
 * with run() and reading the simulator through the client-node adapter. One run POSTs diagnosis.requested to all
 * eight and times first POST → eighth diagnosis.completed at the sink: all eight at once (what the Broker's fan-out
 * does) against the same eight one after another (the baseline). The two kinds alternate run by run, so both see the
 * same machine noise.
 */

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
    data: { healingId, target: TARGET, phase: 'diagnose', checks: [...CHECKS] }
  });
  const m = HTTP.binary(event);
  return { body: m.body as string, headers: m.headers as Record<string, string> };
}

async function once(checks: RunningFunction[], sink: Arrivals, mode: 'parallel' | 'sequential'): Promise<number> {
  const healingId = `bench-${mode}-${counter}`;
  const done = sink.waitFor(healingId, checks.length);
  const send = async (fn: RunningFunction): Promise<void> => {
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
  const checks: RunningFunction[] = [];
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
      CORTEX_LOG_LEVEL: 'silent'
    };
    for (const check of CHECKS) checks.push(await run(await loadFunction(`check-${check}` as FunctionName), { overrides }));

    const parallel: number[] = [];
    const sequential: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      // Alternate which kind goes first, so neither always follows the other.
      const order = i % 2 === 0 ? (['parallel', 'sequential'] as const) : (['sequential', 'parallel'] as const);
      for (const mode of order) {
        const ms = await once(checks, sink, mode);
        if (i >= WARMUP) (mode === 'parallel' ? parallel : sequential).push(ms);
      }
      if ((i + 1) % 10 === 0) console.log(`  checks: ${i + 1}/${WARMUP + RUNS} runs`);
    }
    const note = `8 checks on mcp-demo (crashloop), ${RUNS} runs; first POST → 8th diagnosis.completed at the sink; all eight and the simulator share this process`;
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
      measurement('checks.speedup_p50', s50 / p50, 'x', null, 'sequential p50 / parallel p50')
    ];
  } finally {
    await Promise.all(checks.map((c) => c.stop()));
    await sink.close();
    await sim.stop();
  }
}
