import { ConflictError } from './errors.js';

/** A value and the version it was read at; versions start at 1 and grow by one per write. */
export interface Versioned<T> {
  value: T;
  version: number;
}

/**
 * Keyed state with optimistic concurrency. `transact` runs `fn` on the current value and writes its result only if
 * nobody wrote in between; implementations serialise callers per key where they can, and throw ConflictError (409,
 * retried by Knative) where they cannot.
 */
export interface Store {
  get<T>(key: string): Promise<Versioned<T> | undefined>;
  transact<T, R>(key: string, fn: (current: T | undefined) => { value: T | undefined; result: R }): Promise<R>;
  keys(prefix?: string): Promise<string[]>;
}

/**
 * The in-memory store: one replica, state lost on restart. Callers for one key are serialised on a promise chain
 * (first come, first served), so an error storm on one target costs one decision per event, not a retry cascade;
 * the compare-and-set inside is what a shared store (e.g. Redis WATCH/MULTI) would do across replicas.
 *
 * Values are immutable by contract: `transact` callbacks return a new value and never change the one they were
 * given (the coordinator's saga is pure). So values are kept and handed out by reference, without copying: a copy
 * per event made an error storm quadratic in the size of the state.
 *
 * @example
 * const store = createMemoryStore();
 * await store.transact('demo/api', (s: number | undefined) => ({ value: (s ?? 0) + 1, result: undefined }));
 */
export function createMemoryStore(): Store {
  const data = new Map<string, Versioned<unknown>>();
  const locks = new Map<string, Promise<unknown>>();

  function compareAndSet(key: string, expected: number, value: unknown): void {
    const now = data.get(key)?.version ?? 0;
    if (now !== expected) throw new ConflictError(`state of ${key} changed (version ${now}, expected ${expected})`);
    if (value === undefined) data.delete(key);
    else data.set(key, { value, version: now + 1 });
  }

  return {
    async get<T>(key: string): Promise<Versioned<T> | undefined> {
      const v = data.get(key);
      return v ? { value: v.value as T, version: v.version } : undefined;
    },
    transact<T, R>(key: string, fn: (current: T | undefined) => { value: T | undefined; result: R }): Promise<R> {
      const run = async (): Promise<R> => {
        const current = data.get(key);
        const { value, result } = fn(current ? (current.value as T) : undefined);
        compareAndSet(key, current?.version ?? 0, value);
        return result;
      };
      const next = (locks.get(key) ?? Promise.resolve()).then(run, run);
      const settled = next.catch(() => undefined);
      locks.set(key, settled);
      void settled.then(() => {
        if (locks.get(key) === settled) locks.delete(key);
      });
      return next;
    },
    async keys(prefix = ''): Promise<string[]> {
      return [...data.keys()].filter((k) => k.startsWith(prefix));
    }
  };
}
