/** One reported number, next to the baseline measured in the same run. */
export interface Measurement {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  /** value / baseline (null without a baseline). */
  ratio: number | null;
  note?: string;
}

export function measurement(name: string, value: number, unit: string, baseline: number | null, note?: string): Measurement {
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  return {
    name,
    value: round(value),
    unit,
    baseline: baseline === null ? null : round(baseline),
    ratio: baseline ? round(value / baseline) : null,
    ...(note ? { note } : {})
  };
}

/** The q-quantile (0..1) of a list of numbers, by nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Runs `task` for every item with at most `concurrency` in flight. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, i: number) => Promise<void>
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i]!, i);
      }
    })
  );
}
