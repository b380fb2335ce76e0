import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../../shared/runtime/store.js';
import { createReplayGuard, USED_PREFIX } from '../../../../shared/trust/replay.js';

const NOW = new Date('2026-11-27T10:00:00.000Z');
const at = (ms: number): Date => new Date(NOW.getTime() + ms);

describe('Single-use requests (shared/trust/replay)', () => {
  it('takes a name once: the same CloudEvent again is the same use, another one a replay', async () => {
    // Prepare
    const guard = createReplayGuard(createMemoryStore());
    // Act
    const first = await guard.claim('remediate-scale-up:h-1:1', '/cortex/healing-coordinator ev-1', at(60_000), NOW);
    const redelivered = await guard.claim('remediate-scale-up:h-1:1', '/cortex/healing-coordinator ev-1', at(60_000), at(1));
    const copy = await guard.claim('remediate-scale-up:h-1:1', '/cortex/healing-coordinator ev-2', at(60_000), at(2));
    const otherAttempt = await guard.claim(
      'remediate-scale-up:h-1:2',
      '/cortex/healing-coordinator ev-3',
      at(60_000),
      at(3)
    );
    // Assess
    expect([first, redelivered, copy, otherAttempt]).toEqual(['fresh', 'same', 'replayed', 'fresh']);
  });

  it('keeps the record behind the Store port until the signature expires', async () => {
    // Prepare
    let clock = NOW.getTime();
    const store = createMemoryStore({ now: () => clock });
    const guard = createReplayGuard(store);
    await guard.claim('a', 'ev-1', at(1_000), NOW);
    // Act
    const kept = await store.get(`${USED_PREFIX}a`);
    clock += 1_001;
    const expired = await store.get(`${USED_PREFIX}a`);
    // Assess
    expect(kept?.value).toMatchObject({ by: 'ev-1' });
    expect(expired).toBeUndefined();
  });
});
