import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../shared/runtime/errors.js';
import type { Store } from '../../../shared/runtime/store.js';

/*
 * The contract every state store keeps (STYLE 16: one state port, two stores, one contract suite): the in-memory
 * store of a single replica and the Redis store shared by replicas both pass it.
 */

let n = 0;
const fresh = (what = 'k'): string => `${what}:${process.pid}-${++n}-${Math.random().toString(36).slice(2)}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function storeContract(name: string, make: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    it('starts from nothing, then versions every write from 1', async () => {
      // Prepare
      const store = await make();
      const key = fresh();
      // Act
      const seen = await store.transact(key, (s: number | undefined) => ({ value: 1, result: s }));
      await store.transact(key, (s: number | undefined) => ({ value: (s ?? 0) + 1, result: undefined }));
      // Assess
      expect(seen).toBeUndefined();
      expect(await store.get(key)).toEqual({ value: 2, version: 2 });
      expect(await store.get(fresh())).toBeUndefined();
    });

    it('keeps structured values as JSON round-trips them', async () => {
      // Prepare
      const store = await make();
      const key = fresh();
      const value = { target: { namespace: 'demo', service: 'api' }, history: [{ id: 'h-1', ok: true }], n: 3 };
      // Act
      await store.transact(key, () => ({ value, result: undefined }));
      // Assess
      expect((await store.get(key))?.value).toEqual(value);
    });

    it('applies every concurrent transaction on one key, each on the value the previous one wrote', async () => {
      // Prepare
      const store = await make();
      const key = fresh();
      // Act
      const seen = await Promise.all(
        Array.from({ length: 200 }, () =>
          store.transact(key, (s: number | undefined) => ({ value: (s ?? 0) + 1, result: s ?? 0 }))
        )
      );
      // Assess
      expect((await store.get<number>(key))?.value).toBe(200);
      expect(new Set(seen).size).toBe(200);
    });

    it('fails only the transaction whose function throws, and keeps the value', async () => {
      // Prepare
      const store = await make();
      const key = fresh();
      await store.transact(key, () => ({ value: 1, result: undefined }));
      // Act
      const [bad, good] = await Promise.allSettled([
        store.transact(key, () => {
          throw new Error('boom');
        }),
        store.transact(key, (s: number | undefined) => ({ value: (s ?? 0) + 10, result: 'ok' }))
      ]);
      // Assess
      expect(bad.status).toBe('rejected');
      expect(good).toEqual({ status: 'fulfilled', value: 'ok' });
      expect((await store.get<number>(key))?.value).toBe(11);
    });

    it('deletes a key whose new value is undefined, and never reuses its versions', async () => {
      // Prepare
      const store = await make();
      const key = fresh();
      await store.transact(key, () => ({ value: 'a', result: undefined }));
      // Act
      await store.transact(key, () => ({ value: undefined, result: undefined }));
      const gone = await store.get(key);
      await store.transact(key, () => ({ value: 'b', result: undefined }));
      // Assess
      expect(gone).toBeUndefined();
      expect(await store.get(key)).toEqual({ value: 'b', version: 3 });
    });

    it('lists the keys whose due time has come, earliest first, and forgets a due time that was cleared', async () => {
      // Prepare
      const store = await make();
      const now = Date.now() + 10 * 365 * 86_400_000; // far ahead of keys other tests left due
      const [late, early, future, cleared] = [fresh('late'), fresh('early'), fresh('future'), fresh('cleared')];
      await store.transact(late, () => ({ value: 1, result: undefined, due: now - 10 }));
      await store.transact(early, () => ({ value: 1, result: undefined, due: now - 20 }));
      await store.transact(future, () => ({ value: 1, result: undefined, due: now + 60_000 }));
      await store.transact(cleared, () => ({ value: 1, result: undefined, due: now - 30 }));
      // Act
      await store.transact(cleared, () => ({ value: 2, result: undefined }));
      const due = (await store.due(now, 100_000)).filter((k) => [late, early, future, cleared].includes(k));
      // Assess
      expect(due).toEqual([early, late]);
    });

    it('forgets a key written with a TTL once it passed', async () => {
      // Prepare
      const store = await make();
      const key = fresh();
      // Act
      await store.transact(key, () => ({ value: 'x', result: undefined, ttlMs: 150 }));
      const before = await store.get(key);
      await sleep(400);
      // Assess
      expect(before?.value).toBe('x');
      expect(await store.get(key)).toBeUndefined();
    });

    it('never hands out a result before its write is stored', async () => {
      // Prepare
      const store = await make();
      const key = fresh();
      // Act
      const result = await store.transact(key, () => ({ value: 'written', result: 'decided' }));
      // Assess: what the caller acts on is already there for anyone who reads
      expect(result).toBe('decided');
      expect((await store.get(key))?.value).toBe('written');
    });
  });
}

export { ConflictError };
