import { describe, expect, it } from 'vitest';
import { Ring } from '../../../../functions/sse-relay/buffer.js';

const e = (n: number): { id: string } => ({ id: `1000-${n}` });

describe('Relay: the bounded ring of a log', () => {
  it('grows entry by entry, then evicts the oldest once full, keeping id order across the wrap', () => {
    // Prepare
    const ring = new Ring<{ id: string }>(3);
    // Act
    const evicted = [1, 2, 3, 4, 5].map((n) => ring.push(e(n))?.id);
    // Assess
    expect(evicted).toEqual([undefined, undefined, undefined, '1000-1', '1000-2']);
    expect({ size: ring.size, first: ring.first?.id, last: ring.last?.id }).toEqual({
      size: 3,
      first: '1000-3',
      last: '1000-5'
    });
    expect(ring.after('1000-3').map((x) => x.id)).toEqual(['1000-4', '1000-5']);
    expect(ring.tailFirst(2)?.id).toBe('1000-4');
  });

  it('reads the same before it is full', () => {
    // Prepare
    const ring = new Ring<{ id: string }>(1000);
    // Act
    ring.push(e(1));
    ring.push(e(2));
    // Assess
    expect(ring.after('0-0').map((x) => x.id)).toEqual(['1000-1', '1000-2']);
    expect(ring.tailFirst(5)?.id).toBe('1000-1');
  });
});
