import { describe, expect, it } from 'vitest';
import { FaultQueue, parseFault, parseFaultMarker, stripFaultMarkers } from '../../../../local/claude-standin/faults.js';

describe('Fault injection (local/claude-standin/faults)', () => {
  it.each([
    [
      { kind: 'rate_limit', retryAfterS: 1 },
      { kind: 'rate_limit', retryAfterS: 1 }
    ],
    [
      { kind: 'stall', afterEvents: 2 },
      { kind: 'stall', afterEvents: 2 }
    ],
    [
      { kind: 'delay_headers', ms: 50 },
      { kind: 'delay_headers', ms: 50 }
    ],
    [
      { kind: 'explode' },
      'unknown fault kind "explode"; known: rate_limit, overloaded, server_error, reset, stall, stream_error, delay_headers, pause, refusal'
    ],
    [
      { kind: 'stream_error', error: 'api_error', afterEvents: 2 },
      { kind: 'stream_error', error: 'api_error', afterEvents: 2 }
    ],
    [{ kind: 'stream_error', error: 'boom' }, 'fault "stream_error": error must be one of overloaded_error, api_error'],
    [
      { kind: 'refusal', category: 'bio' },
      { kind: 'refusal', category: 'bio' }
    ],
    [
      { kind: 'pause', ms: 300, pingMs: 50 },
      { kind: 'pause', ms: 300, pingMs: 50 }
    ],
    [{ kind: 'pause' }, 'fault "pause" needs "ms"'],
    [{ kind: 'overloaded', ms: 5 }, 'fault "overloaded" has no option "ms"'],
    [{ kind: 'stall', afterEvents: -1 }, 'fault "stall": afterEvents must be a non-negative number'],
    [{ kind: 'delay_headers' }, 'fault "delay_headers" needs "ms"'],
    [null, 'a fault must be an object with a "kind"']
  ])('parses %j from the control API', (input, expected) => {
    // Act
    const parsed = parseFault(input);
    // Assess
    expect(parsed).toEqual(expected);
  });

  it.each([
    ['hello [fault:overloaded]', { fault: { kind: 'overloaded' }, attempts: 1 }],
    ['[fault:rate_limit retryAfterS=2] hi', { fault: { kind: 'rate_limit', retryAfterS: 2 }, attempts: 1 }],
    ['x [fault:overloaded attempts=all]', { fault: { kind: 'overloaded' }, attempts: Infinity }],
    ['x [fault:stall afterEvents=4 attempts=2]', { fault: { kind: 'stall', afterEvents: 4 }, attempts: 2 }],
    ['x [fault:refusal category=bio]', { fault: { kind: 'refusal', category: 'bio' }, attempts: 1 }],
    ['x [fault:stream_error error=api_error]', { fault: { kind: 'stream_error', error: 'api_error' }, attempts: 1 }],
    ['x [fault:nope]', undefined],
    ['x [fault:stall afterEvents=lots]', undefined],
    ['no marker here', undefined]
  ])('reads the marker in %j', (text, expected) => {
    // Act
    const marker = parseFaultMarker(text);
    // Assess
    expect(marker).toEqual(expected);
  });

  it('removes markers from the text it echoes', () => {
    // Act
    const text = stripFaultMarkers('How are  the pods? [fault:overloaded attempts=all] thanks');
    // Assess
    expect(text).toBe('How are the pods? thanks');
  });

  it('hands out queued faults first in, first out, one at a time', () => {
    // Prepare
    const queue = new FaultQueue();
    queue.push({ kind: 'overloaded' }, { kind: 'reset' });
    // Act
    const taken = [queue.next()?.kind, queue.next()?.kind, queue.next()];
    // Assess
    expect(taken).toEqual(['overloaded', 'reset', undefined]);
  });
});
