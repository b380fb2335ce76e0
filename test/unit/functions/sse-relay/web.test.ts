import { describe, expect, it } from 'vitest';
// @ts-expect-error -- the page's plain browser modules carry no types
import { reconnectDelay } from '../../../../functions/sse-relay/web/sse.js';
// @ts-expect-error -- the page's plain browser modules carry no types
import { compareIds } from '../../../../functions/sse-relay/web/timeline.js';

const delay = reconnectDelay as (retryMs: number, failures: number, random?: () => number) => number;
const compare = compareIds as (a: string | undefined, b: string | undefined) => number;

describe('Function: sse-relay, the page reconnecting and ordering what it shows', () => {
  it('reconnects after the server retry once a stream worked, and backs off (capped, jittered) while it fails', () => {
    // Act
    const waits = [0, 1, 2, 3, 6, 20].map((failures) => delay(1000, failures, () => 0.5));
    const jittered = [delay(1000, 2, () => 0), delay(1000, 2, () => 1)];
    // Assess
    expect(waits).toEqual([1000, 2000, 4000, 8000, 15000, 15000]);
    expect(jittered).toEqual([3000, 5000]);
  });

  it('orders relay ids by number, not text; an id of another shape sorts last', () => {
    // Act
    const sorted = ['10-0', '9-12', '9-2', 'x', '1764950400000-1'].sort(compare);
    // Assess
    expect(sorted).toEqual(['9-2', '9-12', '10-0', '1764950400000-1', 'x']);
  });
});
