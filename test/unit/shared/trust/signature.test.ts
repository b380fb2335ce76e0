import { describe, expect, it } from 'vitest';
import { CLOCK_LEEWAY_MS, createSigner } from '../../../../shared/trust/signature.js';

const TYPE = 'dev.cortex.remediation.rollout_restart.requested';
const KEY = 'k'.repeat(64);
const NOW = new Date('2026-11-27T10:00:00.000Z');
const LATER = new Date(NOW.getTime() + 60_000);
const request = () => ({
  healingId: 'h-1',
  target: { namespace: 'demo', service: 'mcp-demo' },
  params: { pods: ['a', 'b'] },
  dryRun: false,
  attempt: 1
});

describe('Signed event data (shared/trust/signature)', () => {
  it('verifies what it signed, whatever the key order on the wire', () => {
    // Prepare
    const signer = createSigner([KEY]);
    const data = signer.sign(TYPE, request(), LATER);
    const reordered = JSON.parse(
      JSON.stringify({
        signature: data.signature,
        attempt: 1,
        dryRun: false,
        params: data.params,
        target: { service: 'mcp-demo', namespace: 'demo' },
        healingId: 'h-1'
      })
    );
    // Act
    const verdict = signer.verify(TYPE, reordered, NOW);
    // Assess
    expect(verdict).toEqual({ ok: true, expiresAt: LATER });
    expect(data.signature).toEqual({ expiresAt: LATER.toISOString(), value: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
  });

  it.each([
    ['the target', (d: Record<string, unknown>) => (d.target = { namespace: 'demo', service: 'legacy-api' })],
    ['the params', (d: Record<string, unknown>) => (d.params = { pods: ['a'] })],
    ['the healingId', (d: Record<string, unknown>) => (d.healingId = 'h-2')],
    ['the attempt', (d: Record<string, unknown>) => (d.attempt = 2)],
    ['dryRun', (d: Record<string, unknown>) => (d.dryRun = true)],
    ['an added field', (d: Record<string, unknown>) => (d.reason = 'because')],
    [
      'the expiry',
      (d: Record<string, unknown>) => (d.signature = { ...(d.signature as object), expiresAt: '2030-01-01T00:00:00.000Z' })
    ]
  ])('refuses data whose %s changed after signing as forged', (_what, change) => {
    // Prepare
    const signer = createSigner([KEY]);
    const data: Record<string, unknown> = signer.sign(TYPE, request(), LATER);
    change(data);
    // Act
    const verdict = signer.verify(TYPE, data, NOW);
    // Assess
    expect(verdict).toMatchObject({ ok: false, code: 'forged' });
  });

  it('refuses a signature made for another type, or with another key, as forged', () => {
    // Prepare
    const data = createSigner([KEY]).sign(TYPE, request(), LATER);
    // Act
    const otherType = createSigner([KEY]).verify('dev.cortex.remediation.scale_up.requested', data, NOW);
    const otherKey = createSigner(['x'.repeat(64)]).verify(TYPE, data, NOW);
    // Assess
    expect([otherType, otherKey]).toMatchObject([
      { ok: false, code: 'forged' },
      { ok: false, code: 'forged' }
    ]);
  });

  it('refuses data with no signature, or a malformed one, as unsigned', () => {
    // Prepare
    const signer = createSigner([KEY]);
    // Act
    const verdicts = [request(), { ...request(), signature: 'abc' }, undefined].map((d) => signer.verify(TYPE, d, NOW));
    // Assess
    expect(verdicts.map((v) => !v.ok && v.code)).toEqual(['unsigned', 'unsigned', 'unsigned']);
  });

  it('refuses an expired signature past the clock leeway, unless asked for authenticity alone', () => {
    // Prepare
    const signer = createSigner([KEY]);
    const data = signer.sign(TYPE, request(), NOW);
    const within = new Date(NOW.getTime() + CLOCK_LEEWAY_MS);
    const past = new Date(NOW.getTime() + CLOCK_LEEWAY_MS + 1);
    // Act
    const verdicts = [signer.verify(TYPE, data, within), signer.verify(TYPE, data, past)];
    const ignoring = signer.verify(TYPE, data, past, { ignoreExpiry: true });
    // Assess
    expect(verdicts.map((v) => (v.ok ? 'ok' : v.code))).toEqual(['ok', 'expired']);
    expect(ignoring.ok).toBe(true);
  });

  it('rotates keys: signs with the first, verifies with any', () => {
    // Prepare
    const oldKey = 'o'.repeat(64);
    const byOld = createSigner([oldKey]).sign(TYPE, request(), LATER);
    const rotated = createSigner(['n'.repeat(64), oldKey]);
    // Act
    const old = rotated.verify(TYPE, byOld, NOW);
    const fresh = createSigner(['n'.repeat(64)]).verify(TYPE, rotated.sign(TYPE, request(), LATER), NOW);
    // Assess
    expect([old.ok, fresh.ok]).toEqual([true, true]);
  });
});
