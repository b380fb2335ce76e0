import { foldHealing, type FoldableEvent, type HealingOutcome, type HealingRecord } from '../../shared/history/record.js';
import type { Store } from '../../shared/runtime/store.js';

/*
 * The history on the Store port (Redis when configured, memory otherwise): one key per healing, forgotten after the
 * retention, and one index of every healing kept (id, target, start, outcome) that listings filter. The index is
 * pruned of what the retention dropped each time it is written, and never grows past MAX_INDEX entries.
 */

const MAX_INDEX = 20_000;
const INDEX_KEY = 'history:index';
const recordKey = (id: string): string => `history:healing:${id}`;

export interface IndexEntry {
  id: string;
  target: string;
  startedAt: number;
  outcome: HealingOutcome;
}

export interface HistoryFilter {
  /** `namespace/service` or a bare service name. */
  target?: string | undefined;
  /** Epoch ms: healings started at or after it. */
  since?: number | undefined;
  outcome?: HealingOutcome | undefined;
  /** Which targets the caller may see; undefined: all. */
  visible?: ((target: string) => boolean) | undefined;
  limit?: number | undefined;
}

export interface History {
  record(event: FoldableEvent): Promise<void>;
  /** Newest first. */
  list(filter: HistoryFilter): Promise<HealingRecord[]>;
  get(id: string): Promise<HealingRecord | undefined>;
}

const keyOf = (r: HealingRecord): string => (r.target ? `${r.target.namespace}/${r.target.service}` : '');

export function matches(entry: IndexEntry, f: HistoryFilter): boolean {
  if (f.visible && !f.visible(entry.target)) return false;
  if (f.target && entry.target !== f.target && entry.target.split('/')[1] !== f.target) return false;
  if (f.since !== undefined && entry.startedAt < f.since) return false;
  return f.outcome === undefined || entry.outcome === f.outcome;
}

/**
 * @example
 * const history = createHistory(store, { retentionMs: 30 * 86_400_000, now: Date.now });
 * await history.record(event);
 * await history.list({ target: 'demo/mcp-demo', outcome: 'healed' });
 */
export function createHistory(store: Store, opts: { retentionMs: number; now: () => number }): History {
  return {
    async record(event) {
      const id = String((event.data as { healingId?: unknown }).healingId ?? '');
      if (!id) return;
      const record = await store.transact<HealingRecord, HealingRecord>(recordKey(id), (current) => {
        const next = foldHealing(current, event);
        return { value: next, result: next, ttlMs: opts.retentionMs };
      });
      const entry: IndexEntry = {
        id,
        target: keyOf(record),
        startedAt: Date.parse(record.startedAt ?? '') || opts.now(),
        outcome: record.outcome
      };
      const oldest = opts.now() - opts.retentionMs;
      await store.transact<IndexEntry[], void>(INDEX_KEY, (index = []) => {
        const kept = index.filter((e) => e.id !== id && e.startedAt >= oldest);
        return { value: [...kept, entry].sort((a, b) => a.startedAt - b.startedAt).slice(-MAX_INDEX), result: undefined };
      });
    },
    async list(filter) {
      const oldest = opts.now() - opts.retentionMs;
      const index = (await store.get<IndexEntry[]>(INDEX_KEY))?.value ?? [];
      const ids = index
        .filter((e) => e.startedAt >= oldest && matches(e, filter))
        .reverse()
        .slice(0, filter.limit ?? 100)
        .map((e) => e.id);
      const records = await Promise.all(ids.map(async (id) => (await store.get<HealingRecord>(recordKey(id)))?.value));
      return records.filter((r): r is HealingRecord => r !== undefined);
    },
    async get(id) {
      return (await store.get<HealingRecord>(recordKey(id)))?.value;
    }
  };
}
