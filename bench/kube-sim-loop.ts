import { pino } from 'pino';
import { createObject } from '../local/kube-sim/api/write.js';
import { ControlLoop } from '../local/kube-sim/controllers/loop.js';
import { EventRecorder } from '../local/kube-sim/events.js';
import { type Timing } from '../local/kube-sim/kubelet/container-types.js';
import { FaultTracker } from '../local/kube-sim/kubelet/faults.js';
import { frozenCopy } from '../local/kube-sim/immutable.js';
import { Kubelet } from '../local/kube-sim/kubelet/kubelet.js';
import { startSimulator } from '../local/kube-sim/index.js';
import { resourceForKind } from '../local/kube-sim/resources.js';
import { seedBase, seedDemo, workload } from '../local/kube-sim/seed.js';
import { ObjectStore } from '../local/kube-sim/store.js';
import { measurement, quantile, type Measurement } from './measure.js';

/*
 * What the simulator's control loop costs as the cluster grows, each size against a tenth of it in the same run, so
 * a ratio near 1 says the cost grows linearly with the pods (near 10: quadratically):
 *   - creating pods through the API (POSTs in batches of 50, as the API fidelity tests do) until every pod is bound,
 *     with the test timing (pods stay ContainerCreating);
 *   - one pass of the control loop over a settled cluster of bare pods, and over a Deployment with that many Ready
 *     replicas behind a Service (Endpoints of every pod).
 * And what keeping stored objects deep-frozen costs a write: the store's copy of a new pod against the same copy
 * without freezing, and its copy of a status update (which shares the unchanged, frozen parts) against the
 * structuredClone of the pod that the store used to make on every write and every read.
 * Times are CPU time of this process (server and client), which a loaded machine disturbs less than wall time.
 */

const TIMING = { podStartMs: 600_000, backoffBaseMs: 400, crashAfterMs: 300, crashHoldMs: 300, terminationMs: 300 };
const BATCH = 50;

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

/** CPU ms to create `count` pods in a fresh simulator through its API, until the kubelet has bound them all. */
async function createPods(count: number): Promise<number> {
  const sim = await startSimulator({ seed: 'demo', ...TIMING });
  try {
    const headers = { Authorization: `Bearer ${sim.adminToken}`, 'Content-Type': 'application/json' };
    const post = async (path: string, body: unknown): Promise<void> => {
      const res = await fetch(`${sim.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
    };
    await post('/api/v1/namespaces', { metadata: { name: 'bench' } });
    const t0 = process.cpuUsage();
    for (let i = 0; i < count; i += BATCH)
      await Promise.all(
        Array.from({ length: Math.min(BATCH, count - i) }, (_, j) =>
          post('/api/v1/namespaces/bench/pods', {
            metadata: { name: `p-${i + j}` },
            spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] }
          })
        )
      );
    await sim.waitFor(() => sim.list('Pod', 'bench').every((p) => (p.spec ?? {})['nodeName']), {
      timeoutMs: 600_000,
      intervalMs: 20
    });
    return cpuMs(t0);
  } finally {
    await sim.stop();
  }
}

/** A settled in-process cluster (demo seed) plus `count` bare pods or one Deployment of `count` Ready replicas. */
function settledCluster(count: number, shape: 'pods' | 'deployment'): { loop: ControlLoop; store: ObjectStore } {
  const log = pino({ level: 'silent' });
  const now = Date.now;
  const timing: Timing = { ...TIMING, podStartMs: shape === 'deployment' ? 0 : TIMING.podStartMs, probePeriodMs: 400 };
  const store = new ObjectStore({ now });
  const recorder = new EventRecorder(store, now);
  const faults = new FaultTracker();
  const kubelet = new Kubelet({ store, recorder, faults, timing, log, now });
  const loop = new ControlLoop({ store, recorder, kubelet, faults, log, now });
  seedBase(store, now());
  seedDemo(store);
  createObject(store, resourceForKind('Namespace'), { metadata: { name: 'bench' } }, undefined);
  if (shape === 'pods') {
    for (let i = 0; i < count; i++)
      createObject(
        store,
        resourceForKind('Pod'),
        { metadata: { name: `p-${i}` }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
        'bench'
      );
  } else {
    const { deployment, service } = workload({
      name: 'wide',
      namespace: 'bench',
      image: 'ghcr.io/cortex-demo/wide:1.0.0',
      port: 3000,
      replicas: count,
      selfHeal: true
    });
    createObject(store, resourceForKind('Deployment'), deployment, 'bench');
    createObject(store, resourceForKind('Service'), service, 'bench');
  }
  // Containers start at once (podStartMs 0) but become Running on the pass after the one that created them.
  for (let i = 0; i < 5; i++) loop.run();
  return { loop, store };
}

/** CPU ms of one control-loop pass over a settled cluster (median of `runs` batches of `passes` passes). */
function settledPass(count: number, shape: 'pods' | 'deployment', passes: number, runs = 5): number {
  const { loop, store } = settledCluster(count, shape);
  try {
    const rv = store.currentRv();
    const samples: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = process.cpuUsage();
      for (let i = 0; i < passes; i++) loop.run();
      samples.push(cpuMs(t0) / passes);
    }
    if (store.currentRv() !== rv) throw new Error(`the cluster of ${count} ${shape} did not stay settled`);
    return quantile(samples, 0.5);
  } finally {
    loop.stop();
  }
}

/** frozenCopy's walk without the freezing: the baseline that isolates what freezing costs. */
function plainCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(plainCopy) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = plainCopy((value as Record<string, unknown>)[key]);
  return out as T;
}

/** CPU µs per call of `f` (median of 5 batches). */
function perCall(f: () => unknown, calls = 20_000): number {
  const samples: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) f();
    samples.push((cpuMs(t0) * 1000) / calls);
  }
  return quantile(samples, 0.5);
}

/** The cost of the store's copies of one Running pod (full status), frozen and not. */
function copyCosts(): { fresh: number; plain: number; update: number; cloned: number } {
  const { loop, store } = settledCluster(1, 'deployment');
  loop.stop();
  const stored = store.list(resourceForKind('Pod'), 'bench')[0]!;
  const mutable = structuredClone(stored);
  return {
    fresh: perCall(() => frozenCopy(mutable)),
    plain: perCall(() => plainCopy(mutable)),
    update: perCall(() => frozenCopy({ ...stored, status: { ...mutable.status } })),
    cloned: perCall(() => structuredClone(stored))
  };
}

export async function benchControlLoop(): Promise<Measurement[]> {
  const median = async (runs: number, f: () => Promise<number>): Promise<number> => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push(await f());
    return quantile(samples, 0.5);
  };
  await createPods(100); // warm-up
  const create100 = await median(3, () => createPods(100));
  const create1000 = await median(Number(process.env['BENCH_CREATE_RUNS'] ?? 3), () => createPods(1000));
  const pods100 = settledPass(100, 'pods', 200);
  const pods1000 = settledPass(1000, 'pods', 20);
  const deploy100 = settledPass(100, 'deployment', 200);
  const deploy1000 = settledPass(1000, 'deployment', 20);
  const copies = copyCosts();
  return [
    measurement('kube-sim create 1,000 pods (CPU)', create1000, 'ms', create100 * 10, 'baseline: 100 pods × 10'),
    measurement('kube-sim settled loop pass, 1,000 pods (CPU)', pods1000, 'ms', pods100 * 10, 'baseline: 100 pods × 10'),
    measurement(
      'kube-sim settled loop pass, 1,000 replicas (CPU)',
      deploy1000,
      'ms',
      deploy100 * 10,
      'baseline: 100 replicas × 10 (a Deployment behind a Service)'
    ),
    measurement(
      'kube-sim store copy of a new pod, frozen (CPU)',
      copies.fresh,
      'µs',
      copies.plain,
      'baseline: the same copy, not frozen'
    ),
    measurement(
      'kube-sim store copy of a status update (CPU)',
      copies.update,
      'µs',
      copies.cloned,
      'baseline: structuredClone of the pod (what every read and write used to cost)'
    )
  ];
}
