/**
 * Remembers which events were handled, keyed by (source, id), for a bounded time and count. Knative delivers at least
 * once; a redelivery of a handled event is answered 202 without running the handler again. An event is recorded only
 * after its handler ran and its intents were published. When the handler ran but publishing failed, what it decided
 * is kept (`stash`): the redelivery publishes exactly that again instead of deciding anew. Running a remediation twice
 * would otherwise turn "applied" into "noop" (the first run already changed the cluster) and lose what was done.
 *
 * Two implementations pass one contract suite (test/integration/shared/idempotency-contract.ts): this in-memory one
 * (one replica) and the Redis one shared by every replica of a function (shared/redis/idempotency.ts). A record left
 * `running` by a process that died expires after `runningTtlMs`, so the broker's redelivery runs the event again.
 */
export interface Idempotency<T = unknown> {
  /** 'done' if handled within the TTL, 'running' if being handled now, else 'new' (and it is marked running). */
  begin(key: string): Promise<'new' | 'running' | 'done'>;
  complete(key: string): Promise<void>;
  /** Drops the running mark (the handler failed): a redelivery runs it again. Never throws. */
  abandon(key: string): Promise<void>;
  /** Keeps what a handled-but-not-published attempt produced, for the redelivery. */
  stash(key: string, value: T): Promise<void>;
  stashed(key: string): Promise<T | undefined>;
}

export const idempotencyKey = (source: string, id: string): string => `${source}\u0000${id}`;

export interface IdempotencyOptions {
  /** How long a handled event is remembered. */
  ttlMs: number;
  maxKeys: number;
  /** How long a running mark holds without being completed or abandoned. */
  runningTtlMs?: number;
  now: () => number;
}

/**
 * @example
 * const seen = createIdempotency({ ttlMs: 600_000, maxKeys: 50_000, now: () => Date.now() });
 * if ((await seen.begin(key)) === 'done') return 202;
 */
export function createIdempotency<T = unknown>(opts: IdempotencyOptions): Idempotency<T> {
  const done = new Map<string, number>(); // key → expiry; insertion order = age order
  const running = new Map<string, number>(); // key → expiry of the mark
  const stash = new Map<string, { value: T; expiry: number }>();
  const runningTtl = opts.runningTtlMs ?? Number.POSITIVE_INFINITY;

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
    async begin(key) {
      prune();
      const t = opts.now();
      if ((running.get(key) ?? 0) > t) return 'running';
      const exp = done.get(key);
      if (exp !== undefined && exp > t) return 'done';
      running.set(key, t + runningTtl);
      return 'new';
    },
    async complete(key) {
      running.delete(key);
      stash.delete(key);
      done.delete(key);
      done.set(key, opts.now() + opts.ttlMs);
    },
    async abandon(key) {
      running.delete(key);
    },
    async stash(key, value) {
      stash.delete(key);
      stash.set(key, { value, expiry: opts.now() + opts.ttlMs });
    },
    async stashed(key) {
      const s = stash.get(key);
      return s && s.expiry > opts.now() ? s.value : undefined;
    }
  };
}
