import { describe, expect, it } from 'vitest';
import { compareCheckedIds, compareEventIds, eventIdBefore, isEventId } from '../../../../shared/sse/event-id.js';

describe('Shared: SSE event ids (stream entry ids)', () => {
  it.each([
    ['9-5', '10-0', -1],
    ['10-2', '10-10', -1],
    ['10-10', '10-10', 0],
    ['1764950400000-1', '1764950400000-0', 1],
    ['010-2', '10-2', 0],
    ['0-0', '0-1', -1],
    ['0-00', '0-0', 0],
    ['19-0', '21-0', -1],
    ['1-09', '1-10', -1],
    ['1764950400001-0', '1764950400000-99', 1]
  ])('orders %s against %s by number, not text', (a, b, expected) => {
    // Act
    const order = Math.sign(compareEventIds(a, b));
    const checked = Math.sign(compareCheckedIds(a, b));
    // Assess
    expect(order).toBe(expected);
    expect(checked).toBe(expected);
  });

  it.each([
    ['5-3', '5-2'],
    ['5-0', '4-18446744073709551615'],
    ['0-0', '0-0']
  ])('names the id right before %s: %s', (id, before) => {
    // Act
    const got = eventIdBefore(id);
    // Assess
    expect(got).toBe(before);
  });

  it('accepts only <ms>-<seq>', () => {
    // Act
    const checked = ['1-0', '42', '1-', '-1', '1-2-3', 'a-1', '', undefined].map(isEventId);
    // Assess
    expect(checked).toEqual([true, false, false, false, false, false, false, false]);
  });
});
