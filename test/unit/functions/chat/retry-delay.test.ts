import { describe, expect, it } from 'vitest';
import { defaultBackoffMs, planRetry, requestedDelayMs, retryDelayMs } from '../../../../functions/chat/retry-delay.js';

const NOW = Date.parse('2026-11-27T10:00:00.000Z');
const h = (entries: Record<string, string>): Headers => new Headers(entries);

describe('Function: chat retry delays (the SDK 1.14.0 policy, plus our cap)', () => {
  it.each([
    ['retry-after-ms wins over retry-after', { 'retry-after-ms': '200', 'retry-after': '5' }, 200],
    ['retry-after-ms as a float', { 'retry-after-ms': '1500.5' }, 1500.5],
    ['retry-after in seconds', { 'retry-after': '1' }, 1000],
    ['retry-after as a fraction', { 'retry-after': '0.25' }, 250],
    ['retry-after as an HTTP date 2 s ahead', { 'retry-after': new Date(NOW + 2000).toUTCString() }, 2000],
    ['retry-after-ms 0 falls through to retry-after', { 'retry-after-ms': '0', 'retry-after': '3' }, 3000],
    ['retry-after 3600 is what the server asked (capped elsewhere)', { 'retry-after': '3600' }, 3_600_000]
  ])('reads %s', (_what, headers, expected) => {
    // Prepare
    const given = h(headers);
    // Act
    const ms = requestedDelayMs(given, NOW);
    // Assess
    expect(ms).toBe(expected);
  });

  it.each([
    ['no header', {}],
    ['retry-after 0', { 'retry-after': '0' }],
    ['a negative retry-after', { 'retry-after': '-4' }],
    ['a date in the past', { 'retry-after': new Date(NOW - 5000).toUTCString() }],
    ['garbage', { 'retry-after': 'soon' }],
    ['more than one timer can hold', { 'retry-after-ms': String(2 ** 31) }]
  ])('ignores %s', (_what, headers) => {
    // Prepare
    const given = h(headers);
    // Act
    const ms = requestedDelayMs(given, NOW);
    // Assess
    expect(ms).toBeUndefined();
  });

  it('default backoff: 0.5, 1, 2, 4, 8, 8 s without jitter, 25 % less at most with it', () => {
    // Prepare
    const retries = [0, 1, 2, 3, 4, 5];
    // Act
    const noJitter = retries.map((k) => defaultBackoffMs(k, 0));
    const fullJitter = retries.map((k) => defaultBackoffMs(k, 1));
    // Assess
    expect(noJitter).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect(fullJitter).toEqual([375, 750, 1500, 3000, 6000, 6000]);
  });

  it('uses the default backoff when the server asked for nothing usable', () => {
    // Prepare
    const headers = h({ 'retry-after': '0' });
    // Act
    const ms = retryDelayMs(headers, 1, NOW, 0.5);
    // Assess
    expect(ms).toBe(875);
  });

  it.each([
    ['a retryable failure with retries left', { retryable: true }, 0, 0, { retry: true, delayMs: 500 }],
    [
      'the server asked for 1 s',
      { retryable: true, headers: h({ 'retry-after': '1' }) },
      1,
      0,
      { retry: true, delayMs: 1000 }
    ],
    ['not retryable', { retryable: false }, 0, 0, { retry: false }],
    ['retries used up', { retryable: true }, 2, 0, { retry: false }],
    [
      'retry-after 3600 over the cap',
      { retryable: true, headers: h({ 'retry-after': '3600' }) },
      0,
      0,
      { retry: false, requestedWaitMs: 3_600_000 }
    ],
    [
      'a wait that would pass the cap in total',
      { retryable: true, headers: h({ 'retry-after': '5' }) },
      1,
      16_000,
      { retry: false, requestedWaitMs: 5000 }
    ]
  ])('plans: %s', (_what, failure, attempt, waited, expected) => {
    // Prepare
    const limits = { maxRetries: 2, capMs: 20_000 };
    // Act
    const plan = planRetry(failure, attempt, waited, limits, NOW, 0);
    // Assess
    expect(plan).toEqual(expected);
  });
});
