/**
 * Remembers which events were handled, keyed by (source, id), for a bounded time and count. Knative delivers at least
 * once; a redelivery of a handled event is answered 202 without running the handler again. An event is recorded only
 * after its handler ran and its intents were published. When the handler ran but publishing failed, what it decided
 * is kept (`stash`): the redelivery publishes exactly that again instead of deciding anew. Running a remediation twice
 * would otherwise turn "applied" into "noop" (the first run already changed the cluster) and lose what was done.
 */
export interface Idempotency<T = unknown> {
  /** 'done' if handled within the TTL, 'running' if being handled now, else 'new' (and it is marked running). */
  begin(key: string): 'new' | 'running' | 'done';
  complete(key: string): void;
  abandon(key: string): void;
  /** Keeps what a handled-but-not-published attempt produced, for the redelivery. */
  stash(key: string, value: T): void;
  stashed(key: string): T | undefined;
}

export const idempotencyKey = (source: string, id: string): string => `${source}\u0000${id}`;

/**
 * @example
 * const seen = createIdempotency({ ttlMs: 600_000, maxKeys: 50_000, now: () => Date.now() });
 * if (seen.begin(key) === 'done') return 202;
 */
export function createIdempotency<T = unknown>(opts: { ttlMs: number; maxKeys: number; now: () => number }): Idempotency<T> {
  const done = new Map<string, number>(); // key → expiry; insertion order = age order
  const running = new Set<string>();
  const stash = new Map<string, { value: T; expiry: number }>();

  function prune(): void {
    const t = opts.now();
    for (const [k, exp] of done) {
      if (exp > t && done.size <= opts.maxKeys) break;
      done.delete(k);
    }
    for (const [k, s] of stash) {
      if (s.expiry > t && stash.size <= opts.maxKeys) break;
      stash.delete(k);
    }
  }

  return {
    begin(key) {
      prune();
      if (running.has(key)) return 'running';
      const exp = done.get(key);
      if (exp !== undefined && exp > opts.now()) return 'done';
      running.add(key);
      return 'new';
    },
    complete(key) {
      running.delete(key);
      stash.delete(key);
      done.delete(key);
      done.set(key, opts.now() + opts.ttlMs);
    },
    abandon(key) {
      running.delete(key);
    },
    stash(key, value) {
      stash.delete(key);
      stash.set(key, { value, expiry: opts.now() + opts.ttlMs });
    },
    stashed(key) {
      const s = stash.get(key);
      return s && s.expiry > opts.now() ? s.value : undefined;
    }
  };
}
