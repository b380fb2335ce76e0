import { describe, expect, it } from 'vitest';
import {
  formatTraceparent,
  newSpanId,
  newTraceId,
  parseTraceparent,
  traceExtensions
} from '../../../../shared/tracing/traceparent.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';

describe('Tracing: W3C traceparent', () => {
  it('reads a valid traceparent and tracestate into a remote span context', () => {
    // Act
    const ctx = parseTraceparent(`00-${T}-${S}-01`, 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    // Assess
    expect(ctx).toMatchObject({ traceId: T, spanId: S, traceFlags: 1, isRemote: true });
    expect(ctx?.traceState?.get('congo')).toBe('t61rcWkgMzE');
  });

  it.each([
    ['missing', undefined],
    ['not a string', 42],
    ['version ff', `ff-${T}-${S}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${S}-01`],
    ['all-zero span id', `00-${T}-${'0'.repeat(16)}-01`],
    ['upper-case hex', `00-${T.toUpperCase()}-${S}-01`],
    ['version 00 with extra fields', `00-${T}-${S}-01-extra`],
    ['short trace id', `00-${T.slice(2)}-${S}-01`]
  ])('ignores a %s value (the receiver starts a new trace)', (_name, value) => {
    // Act
    const ctx = parseTraceparent(value);
    // Assess
    expect(ctx).toBeUndefined();
  });

  it('accepts a future version with extra fields, keeping the four it knows', () => {
    // Act
    const ctx = parseTraceparent(`01-${T}-${S}-00-what-comes-next`);
    // Assess
    expect(ctx).toMatchObject({ traceId: T, spanId: S, traceFlags: 0 });
  });

  it('writes version 00 with the sampled flag, and the extensions with tracestate only when there is one', () => {
    // Prepare
    const sampled = { traceId: T, spanId: S, traceFlags: 1 };
    // Act
    const written = [formatTraceparent(sampled), formatTraceparent({ ...sampled, traceFlags: 0 }), traceExtensions(sampled)];
    // Assess
    expect(written).toEqual([`00-${T}-${S}-01`, `00-${T}-${S}-00`, { traceparent: `00-${T}-${S}-01` }]);
    expect(traceExtensions(parseTraceparent(`00-${T}-${S}-01`, 'a=b')!)).toEqual({
      traceparent: `00-${T}-${S}-01`,
      tracestate: 'a=b'
    });
  });

  it('mints valid, distinct ids', () => {
    // Act
    const traces = Array.from({ length: 50 }, newTraceId);
    const spans = Array.from({ length: 50 }, newSpanId);
    // Assess
    expect(traces.every((t) => /^[0-9a-f]{32}$/.test(t) && !/^0+$/.test(t))).toBe(true);
    expect(spans.every((s) => /^[0-9a-f]{16}$/.test(s))).toBe(true);
    expect(new Set(traces).size).toBe(50);
    expect(parseTraceparent(`00-${traces[0]}-${spans[0]}-01`)).toBeDefined();
  });
});
