import * as z from 'zod';
import { LIMITS, Timestamp } from './primitives.js';

export { LIMITS, Timestamp } from './primitives.js';
export * from './approval-schemas.js';

/** A Kubernetes DNS-1123 label: the shape of namespace and Service names. */
export const K8sName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label (lowercase letters, digits and "-")');

/** The Kubernetes workload behind a failing dependency: its Service, in its namespace. */
export const Target = z.looseObject({
  namespace: K8sName,
  service: K8sName,
  url: z.string().max(LIMITS.summary).optional()
});
export type Target = z.infer<typeof Target>;

/** What a failure report may know of its target: the Service, or only the URL that failed (intake resolves it). */
export const ReportedTarget = z.looseObject({
  namespace: K8sName.optional(),
  service: K8sName.optional(),
  url: z.string().max(LIMITS.summary).optional()
});
export type ReportedTarget = z.infer<typeof ReportedTarget>;

/** The key a target is known by in stores and logs: `<namespace>/<service>`. */
export function targetKey(target: Pick<Target, 'namespace' | 'service'>): string {
  return `${target.namespace}/${target.service}`;
}

export const ERROR_CATEGORIES = [
  'mcp_unreachable',
  'mcp_timeout',
  'mcp_http_error',
  'mcp_tool_error',
  'llm_rate_limited',
  'llm_overloaded',
  'llm_server_error',
  'llm_network',
  'llm_timeout',
  'uncaught_exception',
  'unhandled_rejection'
] as const;
export const ErrorCategory = z.enum(ERROR_CATEGORIES);
export type ErrorCategory = z.infer<typeof ErrorCategory>;

/** The remediations, one function and one `remediation.<action>.requested` type each. */
export const ACTIONS = [
  'restart_pods',
  'scale_up',
  'rollout_restart',
  'cleanup_failed_pods',
  'report_oom',
  'report_image_pull',
  'rollback'
] as const;
export const Action = z.enum(ACTIONS);
export type Action = z.infer<typeof Action>;

/**
 * The function that performs an action: `remediate-<action>` with hyphens, a Kubernetes name.
 *
 * @example
 * remediationFunction('restart_pods'); // → 'remediate-restart-pods'
 */
export const remediationFunction = (action: Action): string => `remediate-${action.replaceAll('_', '-')}`;

/** The diagnostic checks, one function `check-<name>` each. */
export const CHECKS = [
  'pod-status',
  'service-endpoints',
  'pod-logs',
  'deployment-config',
  'resource-limits',
  'network-policies',
  'failed-pods',
  'events',
  'dependencies'
] as const;
export const CheckName = z.enum(CHECKS);
export type CheckName = z.infer<typeof CheckName>;

/**
 * The checks that verify a fix (pods Ready, endpoints back): the coordinator asks them with `verification.requested`,
 * the only type they subscribe to besides `diagnosis.requested`.
 */
export const VERIFY_CHECKS: readonly CheckName[] = ['pod-status', 'service-endpoints'];

/**
 * The function that runs a check.
 *
 * @example
 * checkFunction('pod-status'); // → 'check-pod-status'
 */
export const checkFunction = (check: CheckName): string => `check-${check}`;

export const Phase = z.enum(['diagnose', 'verify']);
export type Phase = z.infer<typeof Phase>;

export const Verdict = z.enum(['healthy', 'problem', 'inconclusive']);
export type Verdict = z.infer<typeof Verdict>;

/**
 * What a remediation did. Besides the usual five (DESIGN §12):
 * - `approval_required`: the action needs a human's approval; it ran as a server-side dry run only, and the answer
 *   carries the diff, the target's generation and spec digest (`approval`);
 * - `approval_stale`: an approved action was not applied because the target moved since it was approved.
 */
export const Outcome = z.enum(['applied', 'noop', 'manual', 'denied', 'failed', 'approval_required', 'approval_stale']);
export type Outcome = z.infer<typeof Outcome>;

/** A fact a check saw: which object, what about it, and how often. */
export const Evidence = z.looseObject({
  subject: z.string().max(LIMITS.subject),
  detail: z.string().max(LIMITS.text),
  reason: z.string().max(LIMITS.id).optional(),
  count: z.number().int().nonnegative().optional()
});
export type Evidence = z.infer<typeof Evidence>;

export const Recommendation = z.looseObject({
  action: Action,
  reason: z.string().max(LIMITS.reason),
  params: z.record(z.string(), z.unknown()).default({})
});
export type Recommendation = z.infer<typeof Recommendation>;

/** A change a remediation made (or, in dry-run, would make). */
export const Change = z.looseObject({
  verb: z.string(),
  object: z.string(),
  detail: z.string().max(LIMITS.text).optional(),
  dryRun: z.boolean().optional()
});
export type Change = z.infer<typeof Change>;

/** Who acted, in which mode, and why: the audit trail of every remediation outcome. */
export const Audit = z.looseObject({
  actor: z.string(),
  mode: z.enum(['enforce', 'dry-run']),
  reason: z.string().max(LIMITS.reason)
});
export type Audit = z.infer<typeof Audit>;

/**
 * Why a healing ended without a fix: a code for machines (metrics, the page, tests); `reason` is the prose for people.
 * - `escalated`: the target's healing budget is spent; a human takes over.
 * - `denied`: the guardrails (or our RBAC) refused the action: not opted in, a protected or foreign namespace.
 * - `manual`: the fix is a human's (an OOM limit, an image tag, a dry run).
 * - `no_fix`: no automatic fix applies to what was diagnosed (or nothing could be diagnosed).
 * - `not_found`: the workload to act on does not exist (any more).
 * - `timeout`: a remediation never answered (its deadline passed, or its request was dead-lettered).
 * - `verify_failed`: the fix ran, and the target is still unhealthy.
 * - `dependency_down`: a Service the target needs is down (or missing) and was not healed: the root cause is there.
 * - `repeat_suppressed`: the fix this fault calls for already failed to heal it within the window; not repeated.
 * - `rolled_back`, `approval_denied`, `approval_expired`: reserved for rollback and approvals (DESIGN §12).
 */
export const REASON_CODES = [
  'escalated',
  'denied',
  'manual',
  'no_fix',
  'not_found',
  'timeout',
  'verify_failed',
  'rolled_back',
  'approval_denied',
  'approval_expired',
  'dependency_down',
  'repeat_suppressed'
] as const;
export const ReasonCode = z.enum(REASON_CODES);
export type ReasonCode = z.infer<typeof ReasonCode>;

/**
 * The signature of signed event data (requests, their answers, what reaches a browser's stream): an HMAC over the
 * type, the rest of the data and `expiresAt` (shared/trust/signature.ts). Receivers refuse it after `expiresAt`.
 */
export const Signature = z.looseObject({
  expiresAt: Timestamp,
  value: z.string().min(1).max(LIMITS.id)
});

/** Why a signed request was refused: no signature, a wrong one, too late, or a second use of a single-use request. */
export const REFUSALS = ['unsigned', 'forged', 'expired', 'replayed'] as const;
export const Refusal = z.enum(REFUSALS);
export type Refusal = z.infer<typeof Refusal>;

/** Which try of a request this is, so one healing may ask again (a new attempt is a new single-use request). */
export const Attempt = z.number().int().positive();

/** Why a remediation failed, for the coordinator (its `summary` says it to people). */
export const FailureCode = z.enum(['not_found', 'forbidden', 'invalid_request']);
export type FailureCode = z.infer<typeof FailureCode>;

/** A finding carried into healing.failed: the check and what it concluded. */
export const Finding = z.looseObject({
  check: z.string(),
  verdict: Verdict,
  summary: z.string().max(LIMITS.summary)
});
export type Finding = z.infer<typeof Finding>;

/**
 * Where the fault is, as the evidence shows it: the workload itself, a Service it depends on, an address outside the
 * cluster it cannot reach, the network policies in front of it, or nothing the checks could tell.
 */
export const RootCauseKind = z.enum(['workload', 'dependency', 'external', 'network', 'unknown']);
export type RootCauseKind = z.infer<typeof RootCauseKind>;

/** The root cause of a healing's outcome: what kind, which object (`namespace/name`, an address), and the evidence. */
export const RootCause = z.looseObject({
  kind: RootCauseKind,
  object: z.string().max(LIMITS.subject),
  evidence: z.array(z.string().max(LIMITS.summary)).max(10).default([])
});
export type RootCause = z.infer<typeof RootCause>;

/**
 * What check-dependencies found about one Service (or address) the target's evidence points at:
 * - `down`: the Service exists and has no ready endpoints;
 * - `missing`: the name does not resolve to a Service of the cluster;
 * - `up`: the Service has ready endpoints (it does not explain a crash now);
 * - `external`: an address that is no Service of the cluster;
 * - `unnamed`: the evidence blames an upstream without naming it;
 * - `unknown`: the Service could not be read (no access to its namespace).
 */
export const DependencyState = z.enum(['down', 'missing', 'up', 'external', 'unnamed', 'unknown']);
export type DependencyState = z.infer<typeof DependencyState>;

export const DependencyFinding = z.looseObject({
  /** What the evidence named: `10.96.0.15:5432`, `postgres.demo.svc.cluster.local`, `postgres`. */
  reference: z.string().max(LIMITS.subject),
  state: DependencyState,
  /** The Service it resolves to, when it does. */
  service: z.looseObject({ namespace: K8sName, name: K8sName }).optional(),
  readyEndpoints: z.number().int().nonnegative().optional(),
  /** The Deployment behind that Service, and whether it is opted in to automatic healing. */
  deployment: z.string().max(LIMITS.name).optional(),
  optedIn: z.boolean().optional(),
  /** The lines of evidence that name it (cleaned, quoted). */
  evidence: z.array(z.string().max(LIMITS.summary)).max(5).default([]),
  /** Commands a human runs to check or fix it, with the real names. */
  commands: z.array(z.string().max(LIMITS.summary)).max(5).default([])
});
export type DependencyFinding = z.infer<typeof DependencyFinding>;
