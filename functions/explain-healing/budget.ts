import type { Store } from '../../shared/runtime/store.js';

/*
 * The hourly budget of Claude calls for explanations, shared by replicas through the Store (Redis when configured):
 * one counter per clock hour, forgotten an hour after it ends.
 */

const HOUR_MS = 60 * 60_000;

/**
 * Takes one call from the budget of the hour `now` falls in; false when it is spent (or the budget is 0).
 *
 * @example
 * if (await takeFromBudget(store, Date.now(), 60)) await explain(brief);
 */
export async function takeFromBudget(store: Store, now: number, perHour: number): Promise<boolean> {
  const hour = Math.floor(now / HOUR_MS);
  return store.transact<number, boolean>(`explain-budget:${hour}`, (used = 0) =>
    used >= perHour
      ? { value: used, result: false, ttlMs: 2 * HOUR_MS }
      : { value: used + 1, result: true, ttlMs: 2 * HOUR_MS }
  );
}
