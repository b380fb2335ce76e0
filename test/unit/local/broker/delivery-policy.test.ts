import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  effectiveDeliverySpec,
  isRetryable,
  KNATIVE_DEFAULT_DELIVERY,
  MAX_WAIT_MS,
  parseRetryAfter,
  retryWaitMs,
  toPolicy
} from '../../../../local/broker/delivery-policy.js';
import type { Broker, DeliverySpec, Trigger } from '../../../../local/broker/resources.js';

const trigger = (delivery?: DeliverySpec): Trigger => ({
  apiVersion: 'eventing.knative.dev/v1',
  kind: 'Trigger',
  metadata: { name: 't' },
  spec: { broker: 'default', subscriber: { uri: 'http://sub' }, ...(delivery ? { delivery } : {}) }
});
const broker = (delivery?: DeliverySpec): Broker => ({
  apiVersion: 'eventing.knative.dev/v1',
  kind: 'Broker',
  metadata: { name: 'default' },
  spec: delivery ? { delivery } : {}
});

describe('Delivery policy (local/broker/delivery-policy)', () => {
  describe('which spec applies: wholesale replacement, no merging', () => {
    it('uses the Trigger spec alone when it has one', () => {
      // Prepare
      const t = trigger({ retry: 2 });
      const b = broker({ retry: 7, backoffPolicy: 'linear', backoffDelay: 'PT1S', deadLetterSink: { uri: 'http://dls' } });
      // Act
      const spec = effectiveDeliverySpec(t, b, KNATIVE_DEFAULT_DELIVERY);
      // Assess
      expect(spec).toEqual({ retry: 2 });
      expect(toPolicy(spec)).toMatchObject({ retry: 2, backoffDelayMs: 0, deadLetterSink: undefined });
    });

    it("falls back to the Broker's spec, then to Knative's default", () => {
      // Prepare
      const b = broker({ retry: 7 });
      // Act
      const fromBroker = effectiveDeliverySpec(trigger(), b, KNATIVE_DEFAULT_DELIVERY);
      const fromDefault = effectiveDeliverySpec(trigger(), broker(), KNATIVE_DEFAULT_DELIVERY);
      // Assess
      expect(fromBroker).toEqual({ retry: 7 });
      expect(toPolicy(fromDefault)).toEqual({
        retry: 10,
        backoffPolicy: 'exponential',
        backoffDelayMs: 200,
        timeoutMs: undefined,
        retryAfterMaxMs: undefined,
        format: 'binary',
        deadLetterSink: undefined
      });
    });

    it('parses timeout, retryAfterMax and format', () => {
      // Prepare
      const spec: DeliverySpec = { retry: 1, timeout: 'PT2S', retryAfterMax: 'PT5S', format: 'json' };
      // Act
      const policy = toPolicy(spec);
      // Assess
      expect(policy).toMatchObject({ timeoutMs: 2000, retryAfterMaxMs: 5000, format: 'json' });
    });

    it('applies no backoff unless both policy and delay are set (as Knative)', () => {
      // Prepare
      const delayOnly = toPolicy({ retry: 3, backoffDelay: 'PT1S' });
      const policyOnly = toPolicy({ retry: 3, backoffPolicy: 'linear' });
      // Act
      const waits = [backoffMs(delayOnly, 2), backoffMs(policyOnly, 2)];
      // Assess
      expect(waits).toEqual([0, 0]);
    });
  });

  describe('backoff schedule (attemptNum = 0-based index of the failed attempt)', () => {
    it('exponential PT0.2S: 200, 400, 800, 1600 ms before retries 1..4', () => {
      // Prepare
      const policy = toPolicy({ retry: 4, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S' });
      // Act
      const waits = [0, 1, 2, 3].map((n) => backoffMs(policy, n));
      // Assess
      expect(waits).toEqual([200, 400, 800, 1600]);
    });

    it('never asks for a wait longer than a timer can hold (a long exponential schedule)', () => {
      // Prepare
      const policy = toPolicy({ retry: 60, backoffPolicy: 'exponential', backoffDelay: 'PT1S' });
      // Act
      const wait = retryWaitMs(policy, 59, {}, 10_000);
      // Assess
      expect(backoffMs(policy, 59)).toBeGreaterThan(MAX_WAIT_MS);
      expect(wait).toBe(MAX_WAIT_MS);
    });

    it('linear PT0.2S: 0, 200, 400, 600 ms before retries 1..4', () => {
      // Prepare
      const policy = toPolicy({ retry: 4, backoffPolicy: 'linear', backoffDelay: 'PT0.2S' });
      // Act
      const waits = [0, 1, 2, 3].map((n) => backoffMs(policy, n));
      // Assess
      expect(waits).toEqual([0, 200, 400, 600]);
    });
  });

  describe('retryable statuses (knative/specs data-plane.md, SelectiveRetry)', () => {
    const table: [number | undefined, boolean][] = [
      [undefined, true],
      [404, true],
      [408, true],
      [409, true],
      [429, true],
      [500, true],
      [502, true],
      [503, true],
      [504, true],
      [599, true],
      [100, true],
      [600, true],
      [300, false],
      [301, false],
      [307, false],
      [400, false],
      [401, false],
      [403, false],
      [405, false],
      [410, false],
      [413, false],
      [415, false],
      [422, false]
    ];
    for (const [status, retried] of table) {
      it(`${status ?? 'no response'} → ${retried ? 'retried' : 'not retried'}`, () => {
        // Prepare
        const lastStatus = status;
        // Act
        const result = isRetryable(lastStatus);
        // Assess
        expect(result).toBe(retried);
      });
    }
  });

  describe('Retry-After', () => {
    it('reads delay-seconds and HTTP dates', () => {
      // Prepare
      const now = Date.parse('2026-01-01T00:00:00Z');
      // Act
      const seconds = parseRetryAfter('3', now);
      const date = parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now);
      const past = parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now);
      const junk = parseRetryAfter('soon', now);
      // Assess
      expect(seconds).toBe(3000);
      expect(date).toBe(5000);
      expect(past).toBe(0);
      expect(junk).toBeUndefined();
    });

    it('waits the larger of backoff and Retry-After on 429/503, capped', () => {
      // Prepare
      const policy = toPolicy({ retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.1S' });
      const capped = toPolicy({ retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.1S', retryAfterMax: 'PT2S' });
      const off = toPolicy({ retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.1S', retryAfterMax: 'PT0S' });
      // Act
      const on429 = retryWaitMs(policy, 0, { status: 429, retryAfterMs: 3000 }, 10_000);
      const on503BrokerCap = retryWaitMs(policy, 0, { status: 503, retryAfterMs: 60_000 }, 10_000);
      const specCap = retryWaitMs(capped, 0, { status: 503, retryAfterMs: 60_000 }, 10_000);
      const disabled = retryWaitMs(off, 0, { status: 503, retryAfterMs: 60_000 }, 10_000);
      const on500 = retryWaitMs(policy, 0, { status: 500, retryAfterMs: 3000 }, 10_000);
      const shorter = retryWaitMs(policy, 3, { status: 429, retryAfterMs: 100 }, 10_000);
      // Assess
      expect(on429).toBe(3000);
      expect(on503BrokerCap).toBe(10_000);
      expect(specCap).toBe(2000);
      expect(disabled).toBe(100);
      expect(on500).toBe(100);
      expect(shorter).toBe(800);
    });
  });
});
