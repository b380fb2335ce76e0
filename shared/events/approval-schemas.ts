import * as z from 'zod';
import { LIMITS, Timestamp } from './primitives.js';

/*
 * The shapes of approval and rollback (DESIGN §12): a dry run's diff and the state it was computed from, the approval
 * attached when an action is asked again, and the record a mutating remediation makes before it acts.
 */

/** One operation of a dry-run diff (RFC 6902, JSON Patch), with the value it replaces (`from`) when there was one. */
export const DiffOp = z.looseObject({
  op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
  path: z.string().max(LIMITS.subject),
  value: z.unknown().optional(),
  from: z.unknown().optional()
});
export type DiffOp = z.infer<typeof DiffOp>;

/** A sha256 hex digest (the spec digest of a workload, the digest of an approval request). */
export const Digest = z.string().regex(/^[a-f0-9]{64}$/, 'must be a sha256 hex digest');

/**
 * What a remediation that needs approval answers: the change a server-side dry run showed (the object it would act
 * on, and the diff), and the state it was computed from: `metadata.generation` and a digest of the spec.
 */
export const ApprovalNeed = z.looseObject({
  object: z.string().max(LIMITS.subject),
  diff: z.array(DiffOp).max(LIMITS.items).default([]),
  generation: z.number().int().nonnegative(),
  specDigest: Digest,
  /** Which policy asked for it: the label, the namespace list or the action list. */
  why: z.string().max(LIMITS.reason)
});
export type ApprovalNeed = z.infer<typeof ApprovalNeed>;

/** The approval a coordinator attaches when it asks again: who approved, and the state that was approved. */
export const GrantedApproval = z.looseObject({
  approvalId: z.string().min(1).max(LIMITS.id),
  decidedBy: z.string().max(LIMITS.name),
  decidedAt: Timestamp,
  generation: z.number().int().nonnegative(),
  specDigest: Digest
});
export type GrantedApproval = z.infer<typeof GrantedApproval>;

/**
 * What a mutating remediation records before it acts (DESIGN §12): the Deployment's replicas, its pod template's
 * revision and hash, the Ready count and the Service's ready endpoints. Verification compares with it; a rollback
 * goes back to it.
 */
export const PreActionRecord = z.looseObject({
  deployment: z.string().max(LIMITS.name),
  replicas: z.number().int().nonnegative(),
  readyReplicas: z.number().int().nonnegative(),
  endpoints: z.number().int().nonnegative(),
  /** `deployment.kubernetes.io/revision` of the Deployment before the action (its ReplicaSet's revision). */
  revision: z.string().max(LIMITS.name).optional(),
  generation: z.number().int().nonnegative().optional()
});
export type PreActionRecord = z.infer<typeof PreActionRecord>;

/** Counts a check saw, which verification compares with a remediation's pre-action record (DESIGN §12). */
export const Observed = z.looseObject({
  ready: z.number().int().nonnegative().optional(),
  faulty: z.number().int().nonnegative().optional(),
  endpoints: z.number().int().nonnegative().optional()
});
export type Observed = z.infer<typeof Observed>;
