import type { Measurement } from './measure.js';

/*
 * `npm run bench -- --compare`: each figure of this run next to the committed one (bench/baseline.json). Raw values
 * move with the machine's load, so a figure with a same-run baseline is compared by its ratio; the others by value.
 * A figure counts as a regression when it is worse by more than the tolerance (the machine is noisy).
 */

export interface Comparison {
  name: string;
  unit: string;
  /** What is compared: the same-run ratio when both runs have one, else the value. */
  by: 'ratio' | 'value';
  now: number;
  before: number;
  /** now / before. */
  change: number;
  regression: boolean;
}

/** Units where more is better; for all others (ms, KiB, hops…) less is better. */
const HIGHER_IS_BETTER = new Set(['events/s', 'x']);
const TOLERANCE = 0.25;

/**
 * @example
 * compare(latest, baseline).filter((c) => c.regression);
 */
export function compare(now: readonly Measurement[], before: readonly Measurement[], tolerance = TOLERANCE): Comparison[] {
  const old = new Map(before.map((m) => [m.name, m]));
  return now.flatMap((m) => {
    const b = old.get(m.name);
    if (!b) return [];
    const by = m.ratio !== null && b.ratio !== null ? 'ratio' : 'value';
    const [a, z] = by === 'ratio' ? [m.ratio!, b.ratio!] : [m.value, b.value];
    if (!Number.isFinite(a) || !Number.isFinite(z) || z === 0) return [];
    const change = a / z;
    const better = HIGHER_IS_BETTER.has(m.unit) ? change >= 1 : change <= 1;
    const regression = !better && Math.abs(change - 1) > tolerance;
    return [{ name: m.name, unit: m.unit, by, now: a, before: z, change, regression }];
  });
}

/** The comparison as printed lines. */
export function formatComparison(rows: readonly Comparison[]): string[] {
  return rows.map((c) => {
    const pct = `${c.change >= 1 ? '+' : ''}${((c.change - 1) * 100).toFixed(0)}%`;
    const what = c.by === 'ratio' ? 'ratio' : c.unit;
    return `  ${c.name.padEnd(36)} ${String(round(c.now)).padStart(10)} vs ${String(round(c.before)).padStart(10)} ${what.padEnd(9)} ${pct.padStart(6)}${c.regression ? '  REGRESSION' : ''}`;
  });
}

/** Measurements of `latest` replacing those of the same name in `saved` (suites not run keep their figures). */
export function mergeBaseline(saved: readonly Measurement[], latest: readonly Measurement[]): Measurement[] {
  const names = new Set(latest.map((m) => m.name));
  return [...saved.filter((m) => !names.has(m.name)), ...latest];
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
