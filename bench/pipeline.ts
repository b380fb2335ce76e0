import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { startLocalStack, DEMO, type LocalStack } from '../local/stack/index.js';
import { createWorkload } from '../local/kube-sim/workload-client.js';
import type { BrokerOutcome } from '../local/broker/index.js';
import { createKubePort } from '../shared/kube/client-node.js';
import { cloudEvents, errorReport, operatorStream, outcomeFor, publish, testStackEnv } from '../local/stack/driver.js';
import { post, readBody, serve } from './http.js';
import { measurement, quantile, type Measurement } from './measure.js';
import { STAGES, spanReceiver, stageMedians, stagesOf } from './spans.js';
import { Events } from '../shared/events/catalog.js';
import { FUNCTION_NAMES } from '../functions/index.js';

/*
 * The healing pipeline's own latency on one local stack: error.reported accepted by the broker → healing.completed
 * seen on the operator stream, for a Deployment scaled to zero on the simulator with no pod start delay. Before each
 * run the Deployment is scaled to 0 and its pods are gone, and the report's occurredAt is after the previous healing
 * ended (else the coordinator would absorb it as already handled).
 *
 * Baseline: the HTTP hops of that same healing (every event published to the broker, every delivery the broker made)
 * replayed as raw loopback node:http POSTs of the same sizes, one after another, right after each run. The pipeline
 * also waits for the Kubernetes API and the functions' work; the ratio says how much more than bare HTTP that costs.
 *
 * Stages: the functions export their spans to a receiver here (OTLP/HTTP); bench/spans.ts splits each healing's
 * trace into intake, diagnose, plan, remediate, verify and delivery to the relay (p50 of each).
 *
 * Tail: a healing is CPU-bound (its main thread is idle a few ms of it), so on a shared machine its slow runs are the
 * ones whose main thread waited for a CPU behind other processes: measured, the slowest of 50 healings spent 220–430
 * ms queued (/proc/self/schedstat) and ≤ 80 ms idle, every stage longer rather than one; no timer, poll or batch in the
 * product or the bench set-up stands out. So `heal_unqueued_*` subtracts that wait (from the healing and from its raw
 * hops) to show the pipeline's own figure, `queued_p99` shows the wait, and the five slowest healings are printed with
 * their stages and that split.
 *
 * CPU: the stack process's CPU time per healing (error.reported → its last hop on the operator stream) against the
 * CPU of replaying its raw hops. On a shared machine it moves far less than wall time, so it is the figure to compare
 * changes by; the hop note counts the deliveries by the function they went to.
 *
 * One process: every function runs inside the stack's process. Measured against CORTEX_REPLICAS='*=1' (each function
 * its own process, as in a cluster; `CORTEX_REPLICAS='*=1' npm run bench -- pipeline` runs it that way, and the CPU
 * figure then covers only the stack's process: broker, simulator, relay ingest), three alternating pairs of 20
 * healings on the 2-core machine at load 7–13: heal p50 328 / 558 / 404 ms (9.4–10.0× raw hops) in one process,
 * 450 / 318 / 396 ms (13.4–18.4×) as 19 processes. No faster on two shared cores, and worse against the raw hops
 * (which then run in a less busy process), so the bench keeps one process. On a quiet machine (load < 1.5), as 19
 * processes with no balancer in front: 154 ms, 9.5× (its main thread queued 88 ms of it); only the broker in its own
 * process, or only the simulator: 5.6× and 6.0× against 5.8–6.4× in one process, within the noise (the functions'
 * process still does both ends of every exchange). A healing is CPU-bound either way
 * (node --cpu-prof: the loop is busy for the whole healing; about half of it is Node's HTTP and socket writes, the
 * rest spread over the broker, zod, signatures, spans and the simulator): its cost is the number of HTTP messages,
 * ~141 hops and ~43 Kubernetes API calls per healing.
 */

const FULL_RUNS = 50;

/**
 * `pipeline-crowded`: the same healings in a namespace that also holds this many other workloads (a Deployment at zero
 * and its Service each), as a team's namespace does. What a healing reads should follow its target, not the namespace.
 */
const CROWD = 40;
const CROWDED_RUNS = 20;
/**
 * Healings before the measured ones. With every function in one process, V8 is still compiling the stack's code for the
 * first healings (its background compiler threads compete with the loop for the 2 cores). Measured by tens on fresh
 * stacks, the process's CPU per healing: 185 → 151 → 164 → 144 → 133 ms over the first 50 (quiet machine), and
 * 283 → 216 → 207 → 192 → 194 ms (busier); the first ten cost 1.2–1.7× the rest and were measured after a 2-healing
 * warm-up; after 15 the tens move with the machine's noise only. In a cluster each function is its own long-lived
 * process and warms once; the first healings' cost is reported apart (`cpu_per_heal_warmup_p50`), a cold process's is
 * the coldstart suite's.
 */
const WARMUP = 15;

/** CPU time (user + system, ms) this process spent since `from`. */
const cpuSince = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from);
  return Math.round((d.user + d.system) / 100) / 10;
};

/**
 * The main thread's time on a CPU and waiting for one (ms, from /proc/self/schedstat; zeros where there is none): a
 * slow healing whose main thread waited on the run queue lost its time to other processes on the machine, one whose
 * thread was neither running nor queued waited on a timer or I/O.
 */
const sched = (): { onCpu: number; queued: number } => {
  try {
    const [onCpu = 0, queued = 0] = readFileSync('/proc/self/schedstat', 'utf8').split(' ').map(Number);
    return { onCpu: onCpu / 1e6, queued: queued / 1e6 };
  } catch {
    return { onCpu: 0, queued: 0 };
  }
};

interface Hop {
  id: string;
  kind: 'publish' | 'delivery';
  /** The function a delivery went to. */
  to?: string;
}

/** The function a Trigger delivers to: its name is the function's, or starts with it (`<function>-<type>`). */
const LONGEST_FIRST = [...FUNCTION_NAMES].sort((a, b) => b.length - a.length);
const subscriberOf = (trigger: string | undefined): string => {
  const name = trigger?.split('/').pop() ?? '';
  return LONGEST_FIRST.find((f) => name.startsWith(f)) ?? name;
};

/** "sse-relay 34, healing-history 30, …": the deliveries of one healing by the function they went to. */
function deliveriesBySubscriber(hops: readonly Hop[]): string {
  const counts = new Map<string, number>();
  for (const h of hops) if (h.kind === 'delivery') counts.set(h.to ?? '?', (counts.get(h.to ?? '?') ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([f, n]) => `${f} ${n}`)
    .join(', ');
}

/** Creates `count` other workloads (Deployment at zero + Service, not opted in) in the demo namespace. */
async function crowd(stack: LocalStack, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await createWorkload(stack.sim, `neighbour-${i}`, { replicas: 0, selfHeal: false });
}

/** The crowded namespace's figures: heal time against its raw hops, CPU, hops. */
export async function benchPipelineCrowded(): Promise<Measurement[]> {
  const keep = new Set(['pipeline.heal_p50', 'pipeline.heal_p99', 'pipeline.cpu_per_heal_p50', 'pipeline.hops']);
  const all = await benchPipeline({ crowd: CROWD, runs: CROWDED_RUNS });
  return all
    .filter((m) => keep.has(m.name))
    .map((m) => ({
      ...m,
      name: m.name.replace('pipeline.', 'pipeline.crowded_'),
      note: `${CROWD} other workloads in the namespace${m.note ? `; ${m.note}` : ''}`
    }));
}

export async function benchPipeline(opts: { crowd?: number; runs?: number } = {}): Promise<Measurement[]> {
  const RUNS = opts.runs ?? FULL_RUNS;
  const collector = await spanReceiver();
  const stack = await startLocalStack({
    overrides: testStackEnv({
      CORTEX_SIM_POD_START_MS: '0',
      CORTEX_HEALING_BUDGET: '100000',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url
    })
  });
  await crowd(stack, opts.crowd ?? 0);
  const raw = await serve((req, res) => void readBody(req).then(() => res.writeHead(202).end()));
  const ops = await operatorStream(stack);
  try {
    const kube = createKubePort({ kubeconfigPath: stack.state.kubeconfig, timeoutMs: 5000 });
    const livePods = (): number => stack.sim.list('Pod', DEMO.namespace, `app=${DEMO.deployment}`).length;

    let hops: Hop[] = [];
    let acceptedAt = new Map<string, number>();
    const onOutcome = (o: BrokerOutcome): void => {
      if (o.kind === 'accepted' && o.id) {
        acceptedAt.set(o.id, performance.now());
        hops.push({ id: o.id, kind: 'publish' });
      } else if (o.kind === 'delivered' && o.id) hops.push({ id: o.id, kind: 'delivery', to: subscriberOf(o.trigger) });
    };
    stack.broker.on('outcome', onOutcome);

    // Garbage collection pauses of the stack's process (ms, summed), to tell a GC pause from other work in a slow run.
    let gcMs = 0;
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMs += e.duration;
    });
    gc.observe({ entryTypes: ['gc'] });
    const pipeline: number[] = [];
    const warmupCpu: number[] = [];
    const baseline: number[] = [];
    const hopCounts: number[] = [];
    const cpu: number[] = [];
    const rawCpu: number[] = [];
    const reports: string[] = [];
    const waits: { onCpu: number; queued: number; gc: number }[] = [];
    const rawUnqueued: number[] = [];
    let published = 0;
    let lastHops: Hop[] = [];
    let lastEnd = Date.now();
    for (let i = 0; i < WARMUP + RUNS; i++) {
      await kube.scaleDeployment(DEMO.namespace, DEMO.deployment, 0);
      await stack.sim.waitFor(() => livePods() === 0, { message: 'mcp-demo pods gone', timeoutMs: 30_000 });
      while (stack.broker.stats().pending > 0) await new Promise((r) => setTimeout(r, 5));
      while (Date.now() <= lastEnd) await new Promise((r) => setTimeout(r, 1));

      hops = [];
      acceptedAt = new Map();
      const after = cloudEvents(ops).length;
      const report = errorReport(DEMO, { id: `bench-err-${i}`, occurredAt: new Date().toISOString() });
      const cpu0 = process.cpuUsage();
      const sched0 = sched();
      const gc0 = gcMs;
      const status = await publish(stack, report);
      if (status !== 202) throw new Error(`the broker answered ${status} to error.reported`);
      const outcome = await outcomeFor(ops, DEMO.service, after, 30_000);
      const end = performance.now();
      const sched1 = sched();
      lastEnd = Date.now();
      if (outcome.type !== Events.HealingCompleted.type) {
        throw new Error(`run ${i}: ${outcome.type} ${JSON.stringify(outcome.data)}`);
      }
      const start = acceptedAt.get(report.id);
      if (start === undefined) throw new Error(`run ${i}: the broker never accepted ${report.id}`);

      // Every hop of this healing has finished (deliveries to the relay may trail the outcome).
      while (stack.broker.stats().pending > 0) await new Promise((r) => setTimeout(r, 5));
      // The relay has taken every delivery; its frames may still be on their way to the operator stream.
      const shown = (): boolean => {
        const ids = new Set(
          cloudEvents(ops)
            .slice(after)
            .map((e) => e.id)
        );
        return hops.every((h) => ids.has(h.id));
      };
      await ops.until(shown, 5000).catch(() => undefined);
      const cpuMs = cpuSince(cpu0);
      const sizes = new Map(
        cloudEvents(ops)
          .slice(after)
          .map((e) => [e.id, Buffer.byteLength(JSON.stringify(e))])
      );
      const bodies = hops.map((h) => 'x'.repeat(sizes.get(h.id) ?? 0));
      const missing = hops.filter((h) => !sizes.has(h.id)).length;
      if (missing > 0) throw new Error(`run ${i}: ${missing} hops carried events the operator stream never showed`);

      const t0 = performance.now();
      const rawCpu0 = process.cpuUsage();
      const rawSched0 = sched();
      for (const body of bodies) await post(`${raw.url}/`, body, { 'content-type': 'application/cloudevents+json' });
      const rawMs = performance.now() - t0;
      const rawQueued = sched().queued - rawSched0.queued;
      const rawCpuMs = cpuSince(rawCpu0);
      if (i < Math.min(10, WARMUP)) warmupCpu.push(cpuMs);
      if (i >= WARMUP) {
        pipeline.push(end - start);
        baseline.push(rawMs);
        hopCounts.push(hops.length);
        cpu.push(cpuMs);
        rawCpu.push(rawCpuMs);
        reports.push(report.id);
        waits.push({ onCpu: sched1.onCpu - sched0.onCpu, queued: sched1.queued - sched0.queued, gc: gcMs - gc0 });
        rawUnqueued.push(rawMs - rawQueued);
        published = hops.filter((h) => h.kind === 'publish').length;
        lastHops = hops;
      }
      if ((i + 1) % 10 === 0) console.log(`  pipeline: ${i + 1}/${WARMUP + RUNS} healings`);
    }
    stack.broker.off('outcome', onOutcome);
    // The functions export spans in batches (every second): wait for the last healing's.
    const complete = (): boolean => stagesOf(collector.spans, reports.at(-1)!) !== undefined;
    for (let t = 0; t < 50 && !complete(); t++) await new Promise((r) => setTimeout(r, 100));
    const staged = reports.map((id) => stagesOf(collector.spans, id)).filter((s) => s !== undefined);
    const stages = stageMedians(staged);
    // The slowest healings, stage by stage: where a tail comes from.
    const byRun = reports.map((id, k) => ({ ms: pipeline[k]!, ...waits[k]!, stages: stagesOf(collector.spans, id) }));
    for (const r of [...byRun].sort((a, b) => b.ms - a.ms).slice(0, 5)) {
      const parts = r.stages ? STAGES.map((s) => `${s} ${Math.round(r.stages![s])}`).join(' / ') : 'spans incomplete';
      const idle = Math.round(r.ms - r.onCpu - r.queued);
      console.log(
        `  slow healing: ${Math.round(r.ms)} ms = main thread on CPU ${Math.round(r.onCpu)} (GC ${Math.round(r.gc)}) + queued ${Math.round(r.queued)} + idle ${idle}: ${parts}`
      );
    }
    gc.disconnect();
    const q = (f: (w: { onCpu: number; queued: number; gc: number; ms: number }) => number): string =>
      `${Math.round(quantile(byRun.map(f), 0.5))}/${Math.round(quantile(byRun.map(f), 0.99))}`;
    const unqueued = byRun.map((r) => r.ms - r.queued);
    console.log(
      `  p50/p99 per healing: on CPU ${q((w) => w.onCpu)} ms (GC ${q((w) => w.gc)}), queued ${q((w) => w.queued)} ms, idle ${q((w) => w.ms - w.onCpu - w.queued)} ms`
    );

    const hopP50 = quantile(hopCounts, 0.5);
    const [low, high] = [Math.min(...hopCounts), Math.max(...hopCounts)];
    const hopNote = `${low === high ? low : `${low}–${high}`} hops per healing (last run: ${published} events published, ${hopCounts.at(-1)! - published} deliveries: ${deliveriesBySubscriber(lastHops)})`;
    const note = `scale-to-zero, pod start 0 ms, ${RUNS} healings; error.reported accepted → healing.completed on the operator stream`;
    return [
      measurement(
        'pipeline.heal_p50',
        quantile(pipeline, 0.5),
        'ms',
        quantile(baseline, 0.5),
        `${note}; baseline: its hops as raw sequential POSTs`
      ),
      measurement('pipeline.heal_p99', quantile(pipeline, 0.99), 'ms', quantile(baseline, 0.99), 'baseline: raw hops p99'),
      measurement(
        'pipeline.heal_unqueued_p50',
        quantile(unqueued, 0.5),
        'ms',
        quantile(rawUnqueued, 0.5),
        'wall time less the main thread waiting for a CPU (other processes on the machine); baseline: the raw hops, likewise'
      ),
      measurement('pipeline.heal_unqueued_p99', quantile(unqueued, 0.99), 'ms', quantile(rawUnqueued, 0.99)),
      measurement(
        'pipeline.queued_p99',
        quantile(
          byRun.map((r) => r.queued),
          0.99
        ),
        'ms',
        null,
        "the main thread's wait for a CPU during a healing (p99)"
      ),
      measurement('pipeline.raw_hops_p50', quantile(baseline, 0.5), 'ms', null, hopNote),
      measurement('pipeline.raw_hops_p99', quantile(baseline, 0.99), 'ms', null),
      measurement('pipeline.hops', hopP50, 'hops', null, hopNote),
      measurement(
        'pipeline.cpu_per_heal_p50',
        quantile(cpu, 0.5),
        'ms',
        quantile(rawCpu, 0.5),
        'CPU time of the stack process from error.reported to the last hop of the healing; baseline: CPU of its raw hops'
      ),
      measurement(
        'pipeline.cpu_per_heal_warmup_p50',
        quantile(warmupCpu, 0.5),
        'ms',
        null,
        `the first ${warmupCpu.length} healings of a fresh stack, not in the figures above (measured healings: ${quantile(cpu, 0.5)} ms)`
      ),
      ...STAGES.map((s) =>
        measurement(
          `pipeline.stage_${s}_p50`,
          stages[s],
          'ms',
          null,
          s === 'intake' ? `from the spans of ${staged.length} healings` : undefined
        )
      )
    ];
  } finally {
    ops.close();
    await raw.close();
    await stack.stop();
    await collector.close();
  }
}
