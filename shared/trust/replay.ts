import type { Store } from '../runtime/store.js';

/*
 * Single-use requests. A signed request names what it is for (a remediation: its healingId and attempt); the first
 * delivery that carries it records that name as used, with the CloudEvent that used it, until the signature expires.
 * Knative redelivers the same CloudEvent (same source and id) after a failure: that is the same use and goes on. A
 * copy under a new CloudEvent id is a replay and is refused, however valid its signature. The record lives behind
 * the Store port, so with a shared store it holds across restarts and replicas.
 */

export const USED_PREFIX = 'used:';

interface UsedRecord {
  /** The CloudEvent that used it: `source id`. */
  readonly by: string;
  /** When the record may go: the signature's expiry (a copy after it is refused as expired anyway). */
  readonly until: string;
}

export type Claim = 'fresh' | 'same' | 'replayed';

export interface ReplayGuard {
  /** Records `name` as used by `by` until `until`; says whether it was free, already ours, or someone else's. */
  claim(name: string, by: string, until: Date, now: Date): Promise<Claim>;
}

/**
 * @example
 * const guard = createReplayGuard(ctx.store);
 * await guard.claim('remediate-scale-up:h-1:1', 'cortex/healing-coordinator ev-9', expiresAt, now); // → 'fresh'
 */
export function createReplayGuard(store: Store): ReplayGuard {
  return {
    claim(name, by, until, now) {
      // The store forgets the record when the signature expires (a TTL on Redis), so nothing needs sweeping.
      const ttlMs = Math.max(1, until.getTime() - now.getTime());
      return store.transact<UsedRecord, Claim>(USED_PREFIX + name, (cur) => {
        if (cur && new Date(cur.until).getTime() > now.getTime())
          return { value: cur, result: cur.by === by ? 'same' : 'replayed', ttlMs };
        return { value: { by, until: until.toISOString() }, result: 'fresh', ttlMs };
      });
    }
  };
}
