import { createHmac, timingSafeEqual } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Refusal as RefusalCode } from '../events/schemas.js';

/*
 * Signed event data: an HMAC-SHA256 over the event's type, its whole data (the signature aside) and an expiry, with a
 * key only the sender and its receivers hold. The data is serialised canonically (RFC 8785, `canonicalize`), so the
 * receiver recomputes the same bytes from the JSON it parsed, whatever the key order on the wire. Signing the whole
 * data, not a chosen few fields, means nothing of a request can change unnoticed (its target, params, healingId,
 * attempt, dryRun, reason). Several keys may be configured: the first signs, any verifies (rotation without downtime).
 */

/** What a signed event carries in `data.signature`. */
export interface Signature {
  /** RFC 3339: the receiver refuses the event after this. */
  readonly expiresAt: string;
  /** base64url HMAC-SHA256 of the canonical (type, data, expiresAt). */
  readonly value: string;
}

/** Why a signed event was refused: a code for machines (metrics, outcomes), with `reason` for people. */
export interface Refusal {
  readonly code: RefusalCode;
  readonly reason: string;
}

export type Verdict = { readonly ok: true; readonly expiresAt: Date } | ({ readonly ok: false } & Refusal);

/** Clocks of two pods may disagree by this much before an expiry counts. */
export const CLOCK_LEEWAY_MS = 5_000;

export interface Signer {
  /** `data` with its signature added; `data` must not hold one already (it would be replaced). */
  sign<T extends Record<string, unknown>>(type: string, data: T, expiresAt: Date): T & { signature: Signature };
  /** Checks `data.signature`; `ignoreExpiry` for authenticity alone (a dead letter of one's own request). */
  verify(type: string, data: unknown, now: Date, opts?: { ignoreExpiry?: boolean }): Verdict;
}

/** The data without its signature, as the JSON it travels as (undefined members dropped), canonically serialised. */
function message(type: string, data: Record<string, unknown>, expiresAt: string): string {
  const { signature: _signature, ...rest } = data;
  return canonicalize(JSON.parse(JSON.stringify({ type, data: rest, expiresAt })))!;
}

function isSignature(v: unknown): v is Signature {
  const s = v as Partial<Signature> | null;
  return typeof s === 'object' && s !== null && typeof s.expiresAt === 'string' && typeof s.value === 'string';
}

/**
 * A signer over a list of keys (the first signs; any verifies). Keys are secrets: at least 32 characters each, checked
 * by the configuration.
 *
 * @example
 * const signer = createSigner([config.security.keys.remediation![0]!]);
 * const data = signer.sign(type, { healingId, target, params, attempt: 1 }, deadline);
 * signer.verify(type, data, clock.now()); // → { ok: true, expiresAt }
 */
export function createSigner(keys: readonly string[]): Signer {
  if (keys.length === 0) throw new Error('a signer needs at least one key');
  const mac = (key: string, text: string): Buffer => createHmac('sha256', key).update(text).digest();
  return {
    sign(type, data, expiresAt) {
      const at = expiresAt.toISOString();
      const value = mac(keys[0]!, message(type, data, at)).toString('base64url');
      return { ...data, signature: { expiresAt: at, value } };
    },
    verify(type, data, now, opts = {}) {
      const d = (data ?? {}) as Record<string, unknown>;
      if (!isSignature(d.signature)) return { ok: false, code: 'unsigned', reason: `${type} carries no signature` };
      const { expiresAt, value } = d.signature;
      const given = Buffer.from(value, 'base64url');
      const text = message(type, d, expiresAt);
      const genuine = keys.some((k) => {
        const expected = mac(k, text);
        return given.length === expected.length && timingSafeEqual(given, expected);
      });
      if (!genuine) return { ok: false, code: 'forged', reason: `the signature of ${type} does not match its data` };
      const expiry = new Date(expiresAt);
      if (Number.isNaN(expiry.getTime()))
        return { ok: false, code: 'forged', reason: `expiresAt "${expiresAt}" is not a time` };
      if (!opts.ignoreExpiry && now.getTime() > expiry.getTime() + CLOCK_LEEWAY_MS)
        return { ok: false, code: 'expired', reason: `${type} expired at ${expiresAt}` };
      return { ok: true, expiresAt: expiry };
    }
  };
}
