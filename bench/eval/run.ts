import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { AuditedWrite } from '../../local/kube-sim/index.js';
import { startLocalStack, type LocalStack } from '../../local/stack/index.js';
import type { SseClient } from '../../local/stack/sse-client.js';
import { cloudEvents, errorReport, operatorStream, publish, testStackEnv } from '../../local/stack/driver.js';
import { apply, desiredReplicas, healthy, key } from './cluster.js';
import { collateral, snapshot } from './collateral.js';
import { observe, settled, unexpected, type Observed, type SeenEvent } from './observe.js';
import type { Report, Scenario, Workload } from './scenario.js';
import { scoreScenario, type ScenarioInput, type ScenarioScore } from './score.js';
import { countWrites } from './writes.js';

/*
 * Runs one scenario on a fresh local stack (simulator, broker, every function): the setup through the API, the
 * reports through the broker as the chat sends them, the outcomes read from the relay's operator stream, the cluster
 * compared before and after, and Cortex's writes counted by the simulator's write audit. A fresh stack per scenario
 * means no state (budget, history, pods) leaks from one scenario into the next.
 */

export interface RunOptions {
  /** The simulated pods' start time (ms); the simulator's own default is 1500. */
  podStartMs: number;
}

const SEEDED: readonly Workload[] = ['mcp-demo', 'mcp-tools', 'legacy-api', 'postgres'].map((name) => ({
  namespace: 'demo',
  name
}));
const QUIET_MS = 300;

function stackEnv(s: Pick<Scenario, 'stack'>, o: RunOptions): Record<string, string> {
  return testStackEnv({
    CORTEX_SIM_POD_START_MS: String(o.podStartMs),
    ...(s.stack?.remediationMode ? { CORTEX_REMEDIATION_MODE: s.stack.remediationMode } : {}),
    ...(s.stack?.budget !== undefined ? { CORTEX_HEALING_BUDGET: String(s.stack.budget) } : {}),
    ...(s.stack?.transientLimit !== undefined ? { CORTEX_HEALING_TRANSIENT_LIMIT: String(s.stack.transientLimit) } : {}),
    ...(s.stack?.approvalTtlMs !== undefined ? { CORTEX_APPROVAL_TTL_MS: String(s.stack.approvalTtlMs) } : {})
  });
}

/** The simulated time a run uses, for the published figures: pod start, crash back-off, readiness wait in verify. */
export function timeSettings(o: RunOptions): { podStartMs: number; backoffMs: number; checkWaitMs: number } {
  const env = stackEnv({}, o);
  rmSync(env['CORTEX_STATE_DIR']!, { recursive: true, force: true });
  return {
    podStartMs: o.podStartMs,
    backoffMs: Number(env['CORTEX_SIM_BACKOFF_MS']),
    checkWaitMs: Number(env['CORTEX_CHECK_WAIT_MS'])
  };
}

/** Waits until the broker has delivered everything, then a little longer for the last hops' effects. */
async function quiet(stack: LocalStack): Promise<void> {
  await stack.sim.waitFor(() => stack.broker.stats().pending === 0, { timeoutMs: 10_000, intervalMs: 20 });
  await new Promise((r) => setTimeout(r, QUIET_MS));
}

const sessionOf = (s: Scenario, round: number, w: Workload): string =>
  `eval-${s.name}-r${round}-${w.name}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128);

type Input = Omit<ScenarioInput, 'writes' | 'durationMs'>;

export async function runScenario(s: Scenario, o: RunOptions): Promise<ScenarioScore> {
  const t0 = performance.now();
  const env = stackEnv(s, o);
  const records: AuditedWrite[] = [];
  const input: Input = { targets: [], unexpected: [], collateral: [], activeMs: 0 };
  const at = { round: -1 };
  let stack: LocalStack | undefined;
  let ops: SseClient | undefined;
  try {
    stack = await startLocalStack({ overrides: env });
    stack.sim.onWrite((w) => records.push(w));
    ops = await operatorStream(stack);
    await play(stack, ops, s, input, at);
  } catch (err) {
    const where = at.round < 0 ? 'setup' : at.round < s.rounds.length ? `round ${at.round + 1}` : 'after the rounds';
    input.aborted ??= `${where}: ${(err as Error).message}`;
  } finally {
    ops?.close();
    await stack?.stop();
    await rm(env['CORTEX_STATE_DIR']!, { recursive: true, force: true });
  }
  // Expectations of rounds that never ran count as having no outcome.
  const scored = new Set(input.targets.map((t) => t.round));
  const none: Observed = { outcome: 'none', healingIds: [], actions: [], text: '', manualSteps: [], beforeRootCause: [] };
  s.rounds.forEach((r, i) => {
    if (scored.has(i)) return;
    for (const e of r.expect)
      input.targets.push({ round: i, expect: e, observed: none, reportedAt: 0, replicasAfter: undefined });
  });
  return scoreScenario(s, { ...input, writes: countWrites(records), durationMs: performance.now() - t0 });
}

/** The scenario on a running stack: setup, then each round's setup, reports and outcomes; `at.round` says where it is. */
async function play(stack: LocalStack, ops: SseClient, s: Scenario, input: Input, at: { round: number }): Promise<void> {
  const events = (): SeenEvent[] => cloudEvents(ops) as SeenEvent[];
  const last = new Map<string, { reportedAt: number; at?: number }>();
  let firstReport: number | undefined;
  for (const w of SEEDED) await stack.sim.waitFor(() => healthy(stack.sim, w), { message: `${key(w)} ready` });
  for (const step of s.setup) await apply(stack.sim, step);
  const before = snapshot(stack.sim);
  for (at.round = 0; at.round < s.rounds.length; at.round++) {
    const round = at.round;
    const r = s.rounds[round]!;
    for (const step of r.setup ?? []) await apply(stack.sim, step);
    const from = events().length;
    const sent = new Map<string, number>();
    for (const report of r.reports) sent.set(key(report.workload), await send(stack, s, round, report, last));
    firstReport ??= Math.min(...sent.values());
    const slice = (): SeenEvent[] => events().slice(from);
    const left = s.timeLimitMs - (Date.now() - firstReport);
    await ops
      .until(() => r.expect.every((e) => settled(slice(), e.workload, sessionOf(s, round, e.workload))), Math.max(left, 1))
      .catch(() => {
        input.aborted ??= `round ${round + 1}: no outcome within the ${s.timeLimitMs} ms limit`;
      });
    input.activeMs = Date.now() - firstReport;
    await quiet(stack);
    for (const e of r.expect) {
      const observed = observe(slice(), e.workload, sessionOf(s, round, e.workload));
      const reportedAt = sent.get(key(e.workload)) ?? Date.now();
      last.set(key(e.workload), { reportedAt, ...(observed.at ? { at: observed.at } : {}) });
      const dependency = e.rootCause?.workload;
      input.targets.push({
        round,
        expect: e,
        observed,
        reportedAt,
        replicasAfter: desiredReplicas(stack.sim, e.workload),
        ...(dependency ? { rootCauseReplicasAfter: desiredReplicas(stack.sim, dependency) } : {})
      });
    }
    // A dependency's healing, opened by a reported workload's, is expected when that dependency is its root cause.
    const expected = r.expect.flatMap((e) => [e.workload, ...(e.rootCause?.workload ? [e.rootCause.workload] : [])]);
    for (const w of unexpected(slice(), expected))
      input.unexpected.push({ round, workload: w, observed: observe(slice(), w) });
    if (input.aborted) return;
  }
  const reported = s.rounds.flatMap((r) =>
    r.expect.flatMap((e) => [e.workload, ...(e.rootCause?.workload ? [e.rootCause.workload] : [])])
  );
  input.collateral = collateral(before, snapshot(stack.sim), reported);
}

/** Sends one report; resolves to the time it was sent. */
async function send(
  stack: LocalStack,
  s: Scenario,
  round: number,
  report: Report,
  last: ReadonlyMap<string, { reportedAt: number; at?: number }>
): Promise<number> {
  const w = report.workload;
  let occurredAt = new Date();
  if (report.occurred === 'before-last-end') {
    const prev = last.get(key(w));
    if (!prev?.at) throw new Error(`a late report of ${key(w)} needs an earlier round that ended with an outcome`);
    occurredAt = new Date(Math.floor((prev.reportedAt + prev.at) / 2));
  }
  const at = Date.now();
  const status = await publish(
    stack,
    errorReport(
      { namespace: w.namespace, service: w.name },
      { sessionId: sessionOf(s, round, w), occurredAt: occurredAt.toISOString() }
    )
  );
  if (status !== 202) throw new Error(`the broker answered ${status} to the report of ${key(w)}`);
  return at;
}
