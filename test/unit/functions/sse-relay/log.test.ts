import { describe, expect, it } from 'vitest';
import { Ring } from '../../../../functions/sse-relay/buffer.js';
import { startOf } from '../../../../functions/sse-relay/log.js';

const filled = (capacity: number, count: number): Ring<{ id: string }> => {
  const r = new Ring<{ id: string }>(capacity);
  for (let i = 1; i <= count; i++) r.push({ id: `100-${i}` });
  return r;
};

describe('Function: sse-relay, the in-memory ring and where a stream starts', () => {
  it('keeps at most `capacity` entries, evicts the oldest first and says which', () => {
    // Prepare
    const r = filled(3, 4);
    // Act
    const evicted = r.push({ id: '100-5' });
    // Assess
    expect(r.after('0-0').map((e) => e.id)).toEqual(['100-3', '100-4', '100-5']);
    expect([r.first?.id, r.last?.id, evicted?.id, r.tailFirst(2)?.id]).toEqual(['100-3', '100-5', '100-2', '100-4']);
  });

  it('returns the entries after an id by binary search, none after the last', () => {
    // Prepare
    const r = filled(10, 6);
    // Act
    const mid = r.after('100-3');
    const none = r.after('100-6');
    const between = r.after('99-7');
    // Assess
    expect(mid.map((e) => e.id)).toEqual(['100-4', '100-5', '100-6']);
    expect(none).toEqual([]);
    expect(between).toHaveLength(6);
  });

  const info = { first: '100-3', last: '100-9', trimmed: '100-2', tailFirst: '100-8' };
  it.each([
    ['no Last-Event-ID: the whole log', undefined, undefined, { position: '100-2', latest: '100-9' }],
    ['a kept id: right after it', '100-5', undefined, { position: '100-5', latest: '100-9' }],
    ['the last trimmed id: nothing missed', '100-2', undefined, { position: '100-2', latest: '100-9' }],
    [
      'an id below what was trimmed: resync',
      '100-1',
      undefined,
      { position: '100-2', latest: '100-9', resync: { missedAfter: '100-1', oldest: '100-3' } }
    ],
    [
      'an id above the last one handed out: resync',
      '200-0',
      undefined,
      { position: '100-2', latest: '100-9', resync: { missedAfter: '200-0', oldest: '100-3' } }
    ],
    ['a value that is no id of ours: the whole log', '17', undefined, { position: '100-2', latest: '100-9' }],
    ['the last N (operator history)', undefined, 2, { position: '100-7', latest: '100-9' }],
    ['history 0: only what comes next', undefined, 0, { position: '100-9', latest: '100-9' }]
  ])('starts a stream with %s', (_name, lastEventId, tail, expected) => {
    // Act
    const start = startOf(tail === 0 ? { ...info, tailFirst: undefined } : info, lastEventId, tail);
    // Assess
    expect(start).toEqual(expected);
  });

  it('starts on an empty or unknown log at 0-0, after an id it is given', () => {
    // Act
    const fresh = startOf({}, undefined);
    const resumed = startOf({}, '100-4');
    // Assess
    expect(fresh).toEqual({ position: '0-0', latest: '0-0' });
    expect(resumed).toEqual({ position: '100-4', latest: '0-0' });
  });
});
