import { describe, expect, it } from 'vitest';
import type { Idempotency } from '../../../shared/runtime/idempotency.js';

/*
 * The contract every idempotency record keeps (STYLE 16: one state port, two stores, one contract suite): the
 * in-memory one of a single replica and the Redis one shared by replicas both pass it.
 */

export interface IdempotencyFactory {
  /** A fresh record for one function; `runningTtlMs` and `ttlMs` in real milliseconds. */
  make(opts: { ttlMs: number; runningTtlMs: number }): Promise<Idempotency<string[]>>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let n = 0;
const fresh = (): string => `/test\u0000evt-${process.pid}-${++n}-${Math.random().toString(36).slice(2)}`;

export function idempotencyContract(name: string, factory: IdempotencyFactory): void {
  describe(`Idempotency contract: ${name}`, () => {
    it('marks a new event running, then done once completed', async () => {
      // Prepare
      const seen = await factory.make({ ttlMs: 60_000, runningTtlMs: 60_000 });
      const key = fresh();
      // Act
      const first = await seen.begin(key);
      const during = await seen.begin(key);
      await seen.complete(key);
      const after = await seen.begin(key);
      // Assess
      expect([first, during, after]).toEqual(['new', 'running', 'done']);
    });

    it('runs an abandoned event again', async () => {
      // Prepare
      const seen = await factory.make({ ttlMs: 60_000, runningTtlMs: 60_000 });
      const key = fresh();
      await seen.begin(key);
      // Act
      await seen.abandon(key);
      // Assess
      expect(await seen.begin(key)).toBe('new');
    });

    it('keeps what a handled but unpublished attempt decided, and forgets it once completed', async () => {
      // Prepare
      const seen = await factory.make({ ttlMs: 60_000, runningTtlMs: 60_000 });
      const key = fresh();
      await seen.begin(key);
      // Act
      await seen.stash(key, ['decided']);
      await seen.abandon(key);
      const kept = await seen.stashed(key);
      await seen.begin(key);
      await seen.complete(key);
      // Assess
      expect(kept).toEqual(['decided']);
      expect(await seen.stashed(key)).toBeUndefined();
      expect(await seen.stashed(fresh())).toBeUndefined();
    });

    it('lets a running mark expire after runningTtlMs, so a redelivery runs what a dead process left', async () => {
      // Prepare
      const seen = await factory.make({ ttlMs: 60_000, runningTtlMs: 150 });
      const key = fresh();
      await seen.begin(key);
      // Act
      await sleep(400);
      // Assess
      expect(await seen.begin(key)).toBe('new');
    });

    it('forgets a handled event after ttlMs', async () => {
      // Prepare
      const seen = await factory.make({ ttlMs: 150, runningTtlMs: 60_000 });
      const key = fresh();
      await seen.begin(key);
      await seen.complete(key);
      // Act
      await sleep(400);
      // Assess
      expect(await seen.begin(key)).toBe('new');
    });
  });
}
