import { describe, expect, it } from 'vitest';
import { EventBuffer, firstIdAt, resumeFrom } from '../../../../functions/sse-relay/buffer.js';

interface E {
  seq: number;
  last: number;
}

/** Pushes `count` entries of `width` ids each; returns the buffer. */
function filled(capacity: number, count: number, width = 1, first = 1): EventBuffer<E> {
  const b = new EventBuffer<E>(capacity, first);
  for (let i = 0; i < count; i++) {
    const seq = b.reserve(width);
    b.push({ seq, last: seq + width - 1 });
  }
  return b;
}

describe('Function: sse-relay, resume buffer', () => {
  it('keeps at most `capacity` entries and evicts the oldest first', () => {
    // Prepare
    const b = filled(3, 5);
    // Act
    const all = b.after(0);
    // Assess
    expect(b.size).toBe(3);
    expect(all.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(b.oldest).toBe(3);
    expect(b.latest).toBe(5);
  });

  it('returns exactly the entries after an id, in order, across the ring wrap-around', () => {
    // Prepare
    const b = filled(4, 10);
    // Act
    const after8 = b.after(8);
    const after6 = b.after(6);
    const afterLatest = b.after(10);
    // Assess
    expect(after8.map((e) => e.seq)).toEqual([9, 10]);
    expect(after6.map((e) => e.seq)).toEqual([7, 8, 9, 10]);
    expect(afterLatest).toEqual([]);
  });

  it('counts an entry that used two ids as after an id between them (a synthesized frame still to send)', () => {
    // Prepare: entries use ids 1-2, 3-4, 5-6
    const b = filled(10, 3, 2);
    // Act
    const after3 = b.after(3);
    // Assess
    expect(after3.map((e) => [e.seq, e.last])).toEqual([
      [3, 4],
      [5, 6]
    ]);
    expect(b.latest).toBe(6);
  });

  it('returns the last n entries for operator history, never more than it holds', () => {
    // Prepare
    const b = filled(5, 7);
    // Act
    const two = b.tail(2);
    const many = b.tail(100);
    const none = b.tail(0);
    // Assess
    expect(two.map((e) => e.seq)).toEqual([6, 7]);
    expect(many.map((e) => e.seq)).toEqual([3, 4, 5, 6, 7]);
    expect(none).toEqual([]);
  });

  it('holds nothing with capacity 0 but still hands out ids', () => {
    // Prepare
    const capacity = 0;
    // Act
    const b = filled(capacity, 3);
    // Assess
    expect(b.size).toBe(0);
    expect(b.latest).toBe(3);
    expect(b.oldest).toBe(4);
    expect(b.after(0)).toEqual([]);
  });

  it('starts ids from the clock, so a restarted relay issues ids above its predecessor', () => {
    // Prepare
    const [t0, t1] = [Date.parse('2026-11-27T10:00:00.000Z'), Date.parse('2026-11-27T10:00:01.000Z')];
    // Act
    const before = firstIdAt(t0);
    const after = firstIdAt(t1);
    // Assess
    expect(before).toBe(1795773600000001);
    expect(after - before).toBe(1_000_000);
    expect(Number.isSafeInteger(after)).toBe(true);
  });

  it.each([
    ['no header', undefined, { kind: 'history' }],
    ['an empty header', '', { kind: 'history' }],
    ['something that is not an id', 'abc', { kind: 'history' }],
    ['the latest id', '20', { kind: 'after', id: 20 }],
    ['an id inside the buffer', '12', { kind: 'after', id: 12 }],
    ['the id just before the oldest', '9', { kind: 'after', id: 9 }],
    ['an id that fell out of the buffer', '7', { kind: 'resync', missedFrom: 8, oldest: 10 }],
    ['an id from a previous process (above latest)', '25', { kind: 'resync', missedFrom: 26, oldest: 10 }]
  ])('resumes from %s', (_name, header, expected) => {
    // Prepare: a buffer holding ids 10..20
    const [latest, oldest] = [20, 10];
    // Act
    const resume = resumeFrom(header, latest, oldest);
    // Assess
    expect(resume).toEqual(expected);
  });
});
