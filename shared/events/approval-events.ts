import * as z from 'zod';
import { ids, list, LIMITS, Timestamp } from './primitives.js';
import { Action, DiffOp, Digest, Target } from './schemas.js';

/*
 * The data of the approval events (DESIGN §12); their types are written in the catalog.
 */

/** approval.requested: the coordinator asks a human to approve a risky action. */
export const ApprovalRequestedData = z.looseObject({
  approvalId: z.string().min(1).max(LIMITS.id),
  healingId: z.string().min(1).max(LIMITS.id),
  target: Target,
  action: Action,
  params: z.record(z.string(), z.unknown()).default({}),
  reason: z.string().max(LIMITS.summary).default(''),
  object: z.string().max(LIMITS.subject),
  diff: list(DiffOp, LIMITS.items),
  generation: z.number().int().nonnegative(),
  specDigest: Digest,
  why: z.string().max(LIMITS.reason).default(''),
  expiresAt: Timestamp,
  /** sha256 of the canonical JSON of every field above: what a decision names, so it approves exactly this. */
  digest: Digest,
  sessionIds: ids.optional()
});

/** approval.decided: an operator approved or denied it (signed by the approvals function). */
export const ApprovalDecidedData = z.looseObject({
  approvalId: z.string().min(1).max(LIMITS.id),
  healingId: z.string().min(1).max(LIMITS.id),
  target: Target,
  action: Action,
  /** The digest of the request decided on. */
  digest: Digest,
  decision: z.enum(['approve', 'deny']),
  decidedBy: z.string().min(1).max(LIMITS.name),
  decidedAt: Timestamp,
  reason: z.string().max(LIMITS.reason).default('')
});
