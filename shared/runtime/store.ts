import { ConflictError } from './errors.js';

/** A value and the version it was read at; versions start at 1 and grow by one per write. */
export interface Versioned<T> {
  value: T;
  version: number;
}

/** What a transaction decides: the key's new value (undefined deletes it), what to hand back, and its timers. */
export interface Change<T, R> {
  value: T | undefined;
  result: R;
  /** When the key wants its owner's tick (epoch ms); undefined: no tick. Kept atomically with the value. */
  due?: number | undefined;
  /** Forget the key this long after this write; undefined: keep it. */
  ttlMs?: number | undefined;
}

/**
 * Keyed state with optimistic concurrency (DESIGN §11). `transact` runs `fn` on the current value and writes its
 * result only if nobody wrote in between; its promise resolves only once the write committed, so what `fn` decided
 * is never acted on before it is stored. A transaction that loses a race runs `fn` again on the value that won
 * (a stale decision never leaves the store); where that keeps failing it throws ConflictError (409, retried by
 * Knative). `fn` must be pure: it may run more than once.
 *
 * Values are immutable by contract: `fn` returns a new value and never changes the one it was given.
 *
 * Two implementations pass one contract suite (test/integration/shared/store-contract.ts): this in-memory one (one
 * replica, lost on restart) and the Redis one shared by replicas (shared/redis/store.ts).
 */
export interface Store {
  get<T>(key: string): Promise<Versioned<T> | undefined>;
  transact<T, R>(key: string, fn: (current: T | undefined) => Change<T, R>): Promise<R>;
  /** Keys whose due time is at or before `now` (epoch ms), earliest first: what a tick should look at. */
  due(now: number, limit?: number): Promise<string[]>;
}

/**
 * The in-memory store: one replica, state lost on restart. Callers for one key are serialised on a promise chain
 * (first come, first served), so an error storm on one target costs one decision per event, not a retry cascade.
 *
 * Values are kept and handed out by reference, without copying: a copy per event made an error storm quadratic in
 * the size of the state.
 *
 * @example
 * const store = createMemoryStore();
 * await store.transact('demo/api', (s: number | undefined) => ({ value: (s ?? 0) + 1, result: undefined }));
 */
export function createMemoryStore(opts: { now?: () => number } = {}): Store {
  const now = opts.now ?? Date.now;
  const data = new Map<string, Versioned<unknown> & { expires?: number | undefined }>();
  const dueAt = new Map<string, number>();
  const locks = new Map<string, Promise<unknown>>();
  // Versions survive a delete, so a reader of an older value can never match a newer one (no ABA).
  const versions = new Map<string, number>();

  const live = (key: string): (Versioned<unknown> & { expires?: number | undefined }) | undefined => {
    const v = data.get(key);
    if (v?.expires !== undefined && v.expires <= now()) {
      data.delete(key);
      dueAt.delete(key);
      return undefined;
    }
    return v;
  };

  function compareAndSet(key: string, expected: number, change: Change<unknown, unknown>): void {
    const current = versions.get(key) ?? 0;
    if (current !== expected) throw new ConflictError(`state of ${key} changed (version ${current}, expected ${expected})`);
    versions.set(key, current + 1);
    if (change.value === undefined) data.delete(key);
    else
      data.set(key, {
        value: change.value,
        version: current + 1,
        expires: change.ttlMs === undefined ? undefined : now() + change.ttlMs
      });
    if (change.due === undefined || change.value === undefined) dueAt.delete(key);
    else dueAt.set(key, change.due);
  }

  return {
    async get<T>(key: string): Promise<Versioned<T> | undefined> {
      const v = live(key);
      return v ? { value: v.value as T, version: v.version } : undefined;
    },
    transact<T, R>(key: string, fn: (current: T | undefined) => Change<T, R>): Promise<R> {
      const run = async (): Promise<R> => {
        const current = live(key);
        const expected = versions.get(key) ?? 0;
        const change = fn(current ? (current.value as T) : undefined);
        compareAndSet(key, expected, change);
        return change.result;
      };
      const next = (locks.get(key) ?? Promise.resolve()).then(run, run);
      const settled = next.catch(() => undefined);
      locks.set(key, settled);
      void settled.then(() => {
        if (locks.get(key) === settled) locks.delete(key);
      });
      return next;
    },
    async due(at: number, limit = 1_000): Promise<string[]> {
      return [...dueAt]
        .filter(([k, t]) => t <= at && live(k) !== undefined)
        .sort((a, b) => a[1] - b[1])
        .slice(0, limit)
        .map(([k]) => k);
    }
  };
}
