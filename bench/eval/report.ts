import { quantile } from '../measure.js';
import type { ScenarioScore } from './score.js';

/*
 * What a run of the eval publishes, pure: the totals, the results file (bench/results/eval.json, with timings), the
 * committed scorecard (bench/eval-scorecard.json: outcomes, actions and counts, no timings, so two runs of the same
 * code give the same scorecard) and the differences between a run's scorecard and the committed one.
 */

export interface Totals {
  scenarios: number;
  passed: number;
  /** Scenarios below expectation because of a known weakness another issue fixes. */
  knownMisses: number;
  outcomes: { correct: number; total: number; rate: number };
  actions: { taken: number; unnecessary: number; missed: number; unnecessaryRate: number };
  collateralChanges: number;
  /** Kubernetes writes by Cortex (dry runs not counted). */
  writes: number;
}

export interface ScorecardRow {
  name: string;
  title: string;
  pass: boolean;
  expected: string[];
  outcomes: string[];
  actions: string[];
  unnecessary: string[];
  missed: string[];
  collateral: number;
  writes: number;
  dryRunWrites: number;
  misses: string[];
  knownIssue?: string;
}

export interface Scorecard {
  totals: Totals;
  rows: ScorecardRow[];
}

const rate = (n: number, d: number): number => (d === 0 ? 0 : Math.round((n / d) * 1000) / 1000);

export function totals(scores: readonly ScenarioScore[]): Totals {
  const targets = scores.flatMap((s) => s.targets);
  const taken =
    targets.reduce((n, t) => n + t.actions.length, 0) +
    scores.reduce((n, s) => n + s.unexpected.flatMap((u) => u.actions).length, 0);
  const unnecessary =
    targets.reduce((n, t) => n + t.unnecessary.length, 0) +
    scores.reduce((n, s) => n + s.unexpected.flatMap((u) => u.actions).length, 0);
  const correct = targets.filter((t) => t.outcome === t.expected).length;
  return {
    scenarios: scores.length,
    passed: scores.filter((s) => s.pass).length,
    knownMisses: scores.filter((s) => !s.pass && s.knownIssue).length,
    outcomes: { correct, total: targets.length, rate: rate(correct, targets.length) },
    actions: {
      taken,
      unnecessary,
      missed: targets.reduce((n, t) => n + t.missed.length, 0),
      unnecessaryRate: rate(unnecessary, taken)
    },
    collateralChanges: scores.reduce((n, s) => n + s.collateral.length, 0),
    writes: scores.reduce((n, s) => n + s.writes.count, 0)
  };
}

/** Milliseconds from report to outcome: every outcome decided by a healing run, and the healed ones alone. */
export function timings(scores: readonly ScenarioScore[]): {
  timeToHealMs: { p50: number; p95: number; n: number };
  timeToOutcomeMs: { p50: number; p95: number; n: number };
} {
  const all = scores.flatMap((s) => s.targets).filter((t) => t.timeToOutcomeMs !== undefined);
  const healed = all.filter((t) => t.outcome === 'healed').map((t) => t.timeToOutcomeMs!);
  const any = all.map((t) => t.timeToOutcomeMs!);
  const q = (v: number[]) => ({ p50: quantile(v, 0.5), p95: quantile(v, 0.95), n: v.length });
  return { timeToHealMs: q(healed), timeToOutcomeMs: q(any) };
}

export function scorecard(scores: readonly ScenarioScore[]): Scorecard {
  return {
    totals: totals(scores),
    rows: scores.map((s) => ({
      name: s.name,
      title: s.title,
      pass: s.pass,
      expected: s.targets.map((t) => t.expected),
      outcomes: s.targets.map((t) => t.outcome),
      actions: [
        ...s.targets.flatMap((t) => t.actions),
        ...s.unexpected.flatMap((u) => u.actions.map((a) => `${u.workload} ${a}`))
      ],
      unnecessary: [...s.targets.flatMap((t) => t.unnecessary), ...s.unexpected.flatMap((u) => u.actions)],
      missed: s.targets.flatMap((t) => t.missed),
      collateral: s.collateral.length,
      writes: s.writes.count,
      dryRunWrites: s.writes.dryRun,
      misses: s.misses,
      ...(s.knownIssue ? { knownIssue: s.knownIssue } : {})
    }))
  };
}

/** What a run must answer for: misses that are not known, and known misses that no longer miss. */
export function verdicts(scores: readonly ScenarioScore[]): { below: string[]; nowPassing: string[]; known: string[] } {
  return {
    below: scores.filter((s) => !s.pass && !s.knownIssue).map((s) => `${s.name}: ${s.misses.join('; ')}`),
    nowPassing: scores.filter((s) => s.pass && s.knownIssue).map((s) => `${s.name} (${s.knownIssue})`),
    known: scores
      .filter((s) => !s.pass && s.knownIssue)
      .map((s) => `${s.name}: ${s.misses.join('; ')} (known: ${s.knownIssue})`)
  };
}

const FIELDS: ReadonlyArray<keyof ScorecardRow> = [
  'pass',
  'expected',
  'outcomes',
  'actions',
  'unnecessary',
  'missed',
  'collateral',
  'writes',
  'dryRunWrites',
  'knownIssue'
];

/** How a run's scorecard differs from the committed one, row by row (rows missing on either side are named). */
export function drift(committed: Scorecard, run: Scorecard, only?: ReadonlySet<string>): string[] {
  const old = new Map(committed.rows.map((r) => [r.name, r]));
  const out: string[] = [];
  for (const row of run.rows) {
    const was = old.get(row.name);
    if (!was) {
      out.push(`${row.name}: not in the committed scorecard`);
      continue;
    }
    for (const f of FIELDS) {
      const [a, b] = [JSON.stringify(was[f] ?? null), JSON.stringify(row[f] ?? null)];
      if (a !== b) out.push(`${row.name}: ${f} ${a} → ${b}`);
    }
  }
  const ran = new Set(run.rows.map((r) => r.name));
  for (const r of committed.rows)
    if (!ran.has(r.name) && (!only || only.has(r.name))) out.push(`${r.name}: in the committed scorecard, not run`);
  return out;
}
