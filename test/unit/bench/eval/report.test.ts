import { describe, expect, it } from 'vitest';
import { drift, scorecard, timings, totals, verdicts } from '../../../../bench/eval/report.js';
import type { ScenarioScore, TargetScore } from '../../../../bench/eval/score.js';

const t = (o: Partial<TargetScore>): TargetScore => ({
  round: 0,
  workload: 'demo/mcp-demo',
  expected: 'healed',
  outcome: 'healed',
  actions: ['scale_up:applied'],
  text: '',
  unnecessary: [],
  missed: [],
  problems: [],
  ...o
});
const score = (name: string, o: Partial<ScenarioScore> = {}): ScenarioScore => ({
  name,
  title: name,
  targets: [t({ timeToOutcomeMs: 1000 })],
  unexpected: [],
  collateral: [],
  writes: { count: 1, dryRun: 0, list: ['patch deployments/scale/mcp-demo'], byUser: { a: 1 } },
  durationMs: 10,
  pass: true,
  misses: [],
  ...o
});

const runs = [
  score('a'),
  score('b', {
    targets: [
      t({ outcome: 'escalated', actions: [], missed: ['scale_up'], timeToOutcomeMs: 20 }),
      t({
        round: 1,
        actions: ['restart_pods:applied', 'scale_up:applied'],
        unnecessary: ['restart_pods'],
        timeToOutcomeMs: 3000
      })
    ],
    unexpected: [{ round: 0, workload: 'demo/x', actions: ['cleanup_failed_pods:applied'] }],
    collateral: [{ object: 'Pod demo/x-1', change: 'deleted' }],
    pass: false,
    misses: ['m'],
    knownIssue: '#1: k'
  }),
  score('c', { pass: false, misses: ['wrong'] })
];

describe('eval: totals, scorecard and drift', () => {
  it('totals: outcome rate per expectation, unnecessary actions (unexpected healings included) per action asked for', () => {
    // Act
    const sum = totals(runs);

    // Assess
    expect(sum).toEqual({
      scenarios: 3,
      passed: 1,
      knownMisses: 1,
      outcomes: { correct: 3, total: 4, rate: 0.75 },
      actions: { taken: 5, unnecessary: 2, missed: 1, unnecessaryRate: 0.4 },
      collateralChanges: 1,
      writes: 3
    });
  });

  it('time to heal counts healed outcomes only; time to outcome every decided one', () => {
    // Act
    const { timeToHealMs, timeToOutcomeMs } = timings(runs);

    // Assess
    expect(timeToHealMs).toEqual({ p50: 1000, p95: 3000, n: 3 });
    expect(timeToOutcomeMs).toEqual({ p50: 1000, p95: 3000, n: 4 });
  });

  it('verdicts: misses below expectation fail, known ones are listed, a known one that passes must lose its note', () => {
    // Act
    const v = verdicts([...runs, score('d', { knownIssue: '#2: fixed now' })]);

    // Assess
    expect(v).toEqual({ below: ['c: wrong'], known: ['b: m (known: #1: k)'], nowPassing: ['d (#2: fixed now)'] });
  });

  it('drift names each changed field, each new row, and each committed row that did not run', () => {
    // Prepare
    const committed = scorecard(runs);
    const changed = scorecard([
      score('a', { writes: { count: 2, dryRun: 0, list: [], byUser: {} } }),
      score('b', { ...runs[1], misses: ['worded differently'] }),
      score('e')
    ]);

    // Act
    const all = drift(committed, changed);
    const onlySome = drift(committed, changed, new Set(['a', 'b', 'e']));

    // Assess
    expect(all).toEqual(['a: writes 1 → 2', 'e: not in the committed scorecard', 'c: in the committed scorecard, not run']);
    expect(onlySome).toEqual(['a: writes 1 → 2', 'e: not in the committed scorecard']);
  });
});
