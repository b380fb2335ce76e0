import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * sha256 (hex) of a JSON value's canonical form (RFC 8785, `canonicalize`): the same value gives the same digest
 * whatever its key order, in any process. Approvals name what they approve by these digests.
 *
 * @example
 * digestOf({ replicas: 0, selector: { app: 'api' } }) === digestOf({ selector: { app: 'api' }, replicas: 0 }); // → true
 */
export function digestOf(value: unknown): string {
  return createHash('sha256')
    .update(canonicalize(JSON.parse(JSON.stringify(value ?? null))) ?? 'null')
    .digest('hex');
}

/** The fields of an approval request its digest covers: everything a human is shown and approves. */
export const APPROVAL_FIELDS = [
  'approvalId',
  'healingId',
  'target',
  'action',
  'params',
  'reason',
  'object',
  'diff',
  'generation',
  'specDigest',
  'why',
  'expiresAt'
] as const;

/**
 * The digest of an approval request (`dev.cortex.approval.requested`): over every field a human is shown, so a
 * decision that names it approves exactly that action on exactly that state, and nothing else.
 *
 * @example
 * approvalDigest({ approvalId, healingId, target, action: 'scale_up', params: {}, … }); // → '3f1c…' (64 hex)
 */
export function approvalDigest(data: Readonly<Record<string, unknown>>): string {
  return digestOf(Object.fromEntries(APPROVAL_FIELDS.map((k) => [k, data[k]])));
}
