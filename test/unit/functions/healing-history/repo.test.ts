import { describe, expect, it } from 'vitest';
import { createHistory } from '../../../../functions/healing-history/repo.js';
import { parseSince } from '../../../../functions/healing-history/query.js';
import { Events } from '../../../../shared/events/catalog.js';
import { createMemoryStore } from '../../../../shared/runtime/store.js';

const DAY = 86_400_000;
const target = { namespace: 'demo', service: 'mcp-demo' };
const startedAt = (id: string, time: string) => ({
  type: Events.HealingStarted.type,
  time,
  data: { healingId: id, target, reason: 'r', checks: [], sessionIds: [] }
});

describe('healing-history: the store', () => {
  it('forgets healings past CORTEX_HISTORY_DAYS, in the index and in their records', async () => {
    // Arrange
    let now = Date.parse('2026-12-01T00:00:00Z');
    const store = createMemoryStore({ now: () => now });
    const history = createHistory(store, { retentionMs: 30 * DAY, now: () => now });
    await history.record(startedAt('old', '2026-12-01T00:00:00Z'));
    now += 20 * DAY;
    await history.record(startedAt('new', '2026-12-21T00:00:00Z'));
    // Act
    now += 15 * DAY;
    // Assess
    expect((await history.list({})).map((r) => r.healingId)).toEqual(['new']);
    expect(await history.get('old')).toBeUndefined();
    expect((await history.get('new'))?.target).toEqual(target);
  });

  it('lists only what `visible` allows, and at most `limit`', async () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    const history = createHistory(createMemoryStore(), { retentionMs: DAY, now: () => now });
    for (const [id, t] of [
      ['a', '2026-12-01T10:00:00Z'],
      ['b', '2026-12-01T11:00:00Z']
    ] as const)
      await history.record(startedAt(id, t));
    await history.record({
      ...startedAt('c', '2026-12-01T11:30:00Z'),
      data: { ...startedAt('c', '').data, target: { namespace: 'x', service: 'y' } }
    });
    expect((await history.list({ visible: (t) => t === 'demo/mcp-demo' })).map((r) => r.healingId)).toEqual(['b', 'a']);
    expect((await history.list({ limit: 1 })).map((r) => r.healingId)).toEqual(['c']);
  });

  it('reads since as a time or as how long ago', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    expect(parseSince('24h', now)).toBe(now - DAY);
    expect(parseSince('30m', now)).toBe(now - 30 * 60_000);
    expect(parseSince('2026-12-01T00:00:00Z', now)).toBe(Date.parse('2026-12-01T00:00:00Z'));
    expect(parseSince('yesterday', now)).toBeUndefined();
  });
});
