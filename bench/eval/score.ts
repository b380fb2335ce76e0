import type { Action } from '../../shared/events/schemas.js';
import type { CollateralChange } from './collateral.js';
import type { Observed } from './observe.js';
import type { Expectation, OutcomeKind, Scenario, Workload } from './scenario.js';

/*
 * Scoring, pure: what a scenario expected against what was observed. A scenario passes when every outcome is the
 * expected one, no action was unnecessary or missed, nothing outside the reported workloads changed, Cortex's
 * Kubernetes writes are within the scenario's bounds, and it ended within its time limit.
 */

export interface TargetScore {
  round: number;
  workload: string;
  expected: OutcomeKind;
  outcome: OutcomeKind | 'none';
  /** Remediations asked for, as `action:answer`. */
  actions: string[];
  /** What the outcome says (summary or reason). */
  text: string;
  unnecessary: Action[];
  missed: Action[];
  /** From sending the report to the outcome (absent without an outcome decided in this round). */
  timeToOutcomeMs?: number;
  /** Why this target scored below its expectation (empty when it did not). */
  problems: string[];
}

/** Kubernetes writes Cortex made during the scenario, as the simulator's write audit saw them. */
export interface WriteCount {
  /** Successful writes that were not dry runs. */
  count: number;
  /** Successful dry-run writes. */
  dryRun: number;
  /** `verb resource/name` of each counted write, in order. */
  list: string[];
  byUser: Record<string, number>;
}

export interface ScenarioScore {
  name: string;
  title: string;
  targets: TargetScore[];
  /** Workloads healed (or escalated) that no report named. */
  unexpected: Array<{ round: number; workload: string; actions: string[] }>;
  collateral: CollateralChange[];
  writes: WriteCount;
  durationMs: number;
  pass: boolean;
  /** Every reason it did not pass. */
  misses: string[];
  knownIssue?: string;
}

export interface TargetInput {
  round: number;
  expect: Expectation;
  observed: Observed;
  /** When the round's report for this workload was sent (ms since epoch). */
  reportedAt: number;
  /** The Deployment's spec.replicas after the scenario. */
  replicasAfter: number | undefined;
  /** The root cause's Deployment's spec.replicas after the round, when the expectation names one. */
  rootCauseReplicasAfter?: number | undefined;
}

const wkey = (w: Workload): string => `${w.namespace}/${w.name}`;
const NEEDS_STEPS: readonly OutcomeKind[] = ['failed', 'denied', 'escalated'];

/** One workload's round: outcome, actions, and the checks that go with the outcome. */
export function scoreTarget(t: TargetInput): TargetScore {
  const { expect: e, observed: o } = t;
  const taken = [...new Set(o.actions.map((a) => a.action))];
  const accepted = new Set([...e.actions, ...(e.optional ?? [])]);
  const unnecessary = taken.filter((a) => !accepted.has(a));
  const missed = e.actions.filter((a) => !taken.includes(a));
  const problems: string[] = [];
  const where = `${wkey(e.workload)}${t.round > 0 ? ` (round ${t.round + 1})` : ''}`;
  if (o.outcome !== e.outcome)
    problems.push(`${where}: ${o.outcome === 'none' ? 'no outcome' : o.outcome}, expected ${e.outcome}`);
  const forbidden = taken.filter((a) => e.forbidden?.includes(a));
  if (forbidden.length) problems.push(`${where}: took the forbidden ${forbidden.join(', ')}`);
  const plain = unnecessary.filter((a) => !forbidden.includes(a));
  if (plain.length) problems.push(`${where}: unnecessary ${plain.join(', ')}`);
  if (missed.length) problems.push(`${where}: missed ${missed.join(', ')}`);
  if (o.outcome === e.outcome && NEEDS_STEPS.includes(o.outcome) && o.manualSteps.length === 0)
    problems.push(`${where}: ${o.outcome} without manual steps`);
  if (o.outcome === e.outcome && e.says && !new RegExp(e.says, 'i').test(o.text))
    problems.push(`${where}: the outcome does not say /${e.says}/`);
  if (e.after?.replicas !== undefined && t.replicasAfter !== e.after.replicas)
    problems.push(`${where}: ${t.replicasAfter ?? 'no'} replica(s) afterwards, expected ${e.after.replicas}`);
  if (o.outcome === e.outcome && e.steps && !o.manualSteps.some((s) => new RegExp(e.steps!, 'i').test(s)))
    problems.push(`${where}: no manual step matches /${e.steps}/`);
  problems.push(...rootCauseProblems(t, where));
  return {
    round: t.round,
    workload: wkey(e.workload),
    expected: e.outcome,
    outcome: o.outcome,
    actions: o.actions.map((a) => `${a.action}:${a.answer ?? 'no answer'}`),
    text: o.text,
    unnecessary,
    missed,
    ...(o.at !== undefined && o.outcome !== 'absorbed' ? { timeToOutcomeMs: Math.max(0, o.at - t.reportedAt) } : {}),
    problems
  };
}

/** The root cause named, the dependency as expected afterwards, and no action on the workload before it was back. */
function rootCauseProblems(t: TargetInput, where: string): string[] {
  const rc = t.expect.rootCause;
  const out: string[] = [];
  if (rc && t.observed.rootCause !== rc.object)
    out.push(`${where}: root cause ${t.observed.rootCause ?? 'not named'}, expected ${rc.object}`);
  if (rc?.after?.replicas !== undefined && t.rootCauseReplicasAfter !== rc.after.replicas)
    out.push(
      `${where}: ${rc.object} has ${t.rootCauseReplicasAfter ?? 'no'} replica(s) afterwards, expected ${rc.after.replicas}`
    );
  if (t.observed.beforeRootCause.length)
    out.push(`${where}: ${t.observed.beforeRootCause.join(', ')} before its dependency was healed`);
  return out;
}

export interface ScenarioInput {
  targets: TargetInput[];
  unexpected: Array<{ round: number; workload: Workload; observed: Observed }>;
  collateral: CollateralChange[];
  writes: WriteCount;
  durationMs: number;
  /** From the first report to the last outcome. */
  activeMs: number;
  /** Set when the harness could not run the scenario to the end (setup failed, time limit): what went wrong. */
  aborted?: string;
}

export function scoreScenario(s: Scenario, input: ScenarioInput): ScenarioScore {
  const targets = input.targets.map(scoreTarget);
  const unexpected = input.unexpected.map((u) => ({
    round: u.round,
    workload: wkey(u.workload),
    actions: u.observed.actions.map((a) => `${a.action}:${a.answer ?? 'no answer'}`)
  }));
  const misses = [
    ...(input.aborted ? [input.aborted] : []),
    ...targets.flatMap((t) => t.problems),
    ...unexpected.map((u) => `${u.workload}: healed though nobody reported it (${u.actions.join(', ') || 'no actions'})`),
    ...input.collateral.map((c) => `collateral: ${c.object} ${c.change}`)
  ];
  const { count, dryRun } = input.writes;
  if (s.writes?.max !== undefined && count > s.writes.max)
    misses.push(`${count} Kubernetes writes, at most ${s.writes.max} expected (${input.writes.list.join('; ')})`);
  if (s.writes?.min !== undefined && count < s.writes.min)
    misses.push(`${count} Kubernetes writes, at least ${s.writes.min} expected`);
  if (s.dryRunWrites && dryRun < s.dryRunWrites.min)
    misses.push(`${dryRun} dry-run writes, at least ${s.dryRunWrites.min} expected (the would-be change)`);
  if (input.activeMs > s.timeLimitMs)
    misses.push(`took ${Math.round(input.activeMs)} ms, over the ${s.timeLimitMs} ms limit`);
  return {
    name: s.name,
    title: s.title,
    targets,
    unexpected,
    collateral: input.collateral,
    writes: input.writes,
    durationMs: Math.round(input.durationMs),
    pass: misses.length === 0,
    misses,
    ...(s.knownIssue ? { knownIssue: s.knownIssue } : {})
  };
}
