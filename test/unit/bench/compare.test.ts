import { describe, expect, it } from 'vitest';
import { compare, formatComparison, mergeBaseline } from '../../../bench/compare.js';
import { measurement } from '../../../bench/measure.js';

describe('Bench: --compare against the committed baseline', () => {
  it('compares by the same-run ratio when both runs have one, else by value', () => {
    // Prepare
    const before = [
      measurement('broker.delivery_rate', 4000, 'events/s', 14000),
      measurement('pipeline.hops', 94, 'hops', null)
    ];
    const now = [
      measurement('broker.delivery_rate', 2000, 'events/s', 4000),
      measurement('pipeline.hops', 60, 'hops', null)
    ];
    // Act
    const rows = compare(now, before);
    // Assess
    expect(rows.map((r) => [r.name, r.by, r.regression])).toEqual([
      ['broker.delivery_rate', 'ratio', false],
      ['pipeline.hops', 'value', false]
    ]);
    expect(rows[0]!.change).toBeCloseTo(0.5 / (4000 / 14000), 2);
  });

  it('flags a figure worse by more than the tolerance, in the direction its unit says', () => {
    // Prepare
    const before = [
      measurement('a', 100, 'ms', 10),
      measurement('b', 1000, 'events/s', 1000),
      measurement('c', 10, 'ms', null)
    ];
    const now = [measurement('a', 140, 'ms', 10), measurement('b', 700, 'events/s', 1000), measurement('c', 11, 'ms', null)];
    // Act
    const rows = compare(now, before);
    // Assess
    expect(rows.map((r) => [r.name, r.regression])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false]
    ]);
    expect(formatComparison(rows)[0]).toContain('REGRESSION');
  });

  it('skips figures the baseline does not have; saving keeps the suites that did not run', () => {
    // Prepare
    const saved = [measurement('x', 1, 'ms', null), measurement('y', 2, 'ms', null)];
    const latest = [measurement('y', 3, 'ms', null), measurement('z', 4, 'ms', null)];
    // Act
    const rows = compare(latest, saved);
    const merged = mergeBaseline(saved, latest);
    // Assess
    expect(rows.map((r) => r.name)).toEqual(['y']);
    expect(merged.map((m) => [m.name, m.value])).toEqual([
      ['x', 1],
      ['y', 3],
      ['z', 4]
    ]);
  });
});
