import * as z from 'zod';
import { defineEvent } from './define.js';
import {
  ACTIONS,
  Action,
  ApprovalNeed,
  CHECKS,
  Audit,
  Change,
  CheckName,
  DependencyFinding,
  ErrorCategory,
  Evidence,
  FailureCode,
  Finding,
  GrantedApproval,
  LIMITS,
  Observed,
  Outcome,
  Phase,
  PreActionRecord,
  ReasonCode,
  Recommendation,
  ReportedTarget,
  RootCause,
  Attempt,
  Refusal,
  Signature,
  Target,
  Timestamp,
  VERIFY_CHECKS,
  Verdict,
  remediationFunction,
  type Action as ActionName
} from './schemas.js';
import { ids, idList, list } from './primitives.js';
import { ApprovalDecidedData, ApprovalRequestedData } from './approval-events.js';

export { LIMITS };

/*
 * The one place where every event type string is written. Routing uses `type` alone, so any event here can be
 * replayed with `kn event send`. Data schemas are loose (unknown keys pass) so additive changes stay compatible;
 * a breaking change gets a new `.v2` type.
 */

export const ErrorReported = defineEvent({
  type: 'dev.cortex.error.reported',
  description: 'A dependency call failed (MCP, Claude API) or one of our functions crashed.',
  data: z.looseObject({
    component: z.string().min(1).max(LIMITS.name),
    category: ErrorCategory,
    message: z.string().max(LIMITS.text),
    occurredAt: Timestamp,
    target: ReportedTarget.optional(),
    sessionId: z.string().max(LIMITS.id).optional(),
    httpStatus: z.number().int().min(100).max(599).optional(),
    errorCode: z.string().max(LIMITS.name).optional()
  })
});

export const HealingRequested = defineEvent({
  type: 'dev.cortex.healing.requested',
  description: 'Error intake asks for the target behind a healable failure to be healed.',
  data: z.looseObject({
    target: Target,
    category: ErrorCategory,
    reportIds: idList,
    sessionIds: idList,
    occurredAt: Timestamp.optional(),
    message: z.string().max(LIMITS.text).optional()
  })
});

export const HealingStarted = defineEvent({
  type: 'dev.cortex.healing.started',
  description: 'The coordinator opened a healing run for a target and fanned out its checks.',
  data: z.looseObject({
    healingId: z.string().min(1),
    target: Target,
    reason: z.string().max(LIMITS.text),
    checks: list(CheckName, CHECKS.length),
    sessionIds: idList,
    /** A healing of a dependency, opened by the healing of a target that needs it (DESIGN §5, root cause first). */
    parentHealingId: z.string().min(1).max(LIMITS.id).optional(),
    signature: Signature.optional()
  })
});

/** What the coordinator asks checks, in either phase; `checks` absent (a kn replay) means every check of the phase. */
const checkRequest = (phase: z.ZodType<'diagnose' | 'verify'>, checks: readonly CheckName[]) =>
  z.looseObject({
    healingId: z.string().min(1),
    target: Target,
    phase,
    checks: z
      .array(CheckName)
      .max(CHECKS.length)
      .default([...checks]),
    deadline: Timestamp.optional(),
    attempt: Attempt.optional(),
    signature: Signature.optional()
  });

export const DiagnosisRequested = defineEvent({
  type: 'dev.cortex.diagnosis.requested',
  description: 'The coordinator asks the listed checks to inspect a target.',
  data: checkRequest(Phase, CHECKS)
});

/**
 * Verification after a fix: the same request as `diagnosis.requested` in its verify phase, under its own type so that
 * only the checks that verify subscribe (routing is by type alone). Sent as `diagnosis.requested`, it reached every
 * check and all but two dropped it: seven deliveries per healing that carried nothing their consumer needed.
 */
export const VerificationRequested = defineEvent({
  type: 'dev.cortex.verification.requested',
  description: 'After a fix, the coordinator asks the verify checks (pod status, service endpoints) to confirm it held.',
  data: checkRequest(z.literal('verify').default('verify'), VERIFY_CHECKS)
});

export const DiagnosisCompleted = defineEvent({
  type: 'dev.cortex.diagnosis.completed',
  description: 'One check reports its verdict on a target, with evidence and at most one recommended action.',
  data: z.looseObject({
    healingId: z.string().min(1),
    check: CheckName,
    phase: Phase,
    verdict: Verdict,
    summary: z.string().max(LIMITS.summary),
    evidence: list(Evidence, LIMITS.items),
    recommendation: Recommendation.optional(),
    target: Target.optional(),
    /** A short code of what the check saw, stable across runs of the same fault (the coordinator's fingerprint). */
    symptom: z.string().max(LIMITS.name).optional(),
    /** Commands a human runs to look further, with the real names filled in. */
    commands: z.array(z.string().max(LIMITS.summary)).max(5).optional(),
    /** check-dependencies: the Services (or addresses) the target's evidence points at, and their state. */
    dependencies: z.array(DependencyFinding).max(10).optional(),
    /** Counts verification compares with a remediation's record: Ready and faulty pods, ready endpoints. */
    observed: Observed.optional(),
    signature: Signature.optional()
  })
});

export const HealingProgress = defineEvent({
  type: 'dev.cortex.healing.progress',
  description: 'A step of a healing run: a check reported, a remediation ran, a session joined.',
  data: z.looseObject({
    healingId: z.string().min(1),
    stage: z.string().min(1).max(64),
    message: z.string().max(LIMITS.summary),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    target: Target.optional(),
    sessionIds: ids.optional(),
    signature: Signature.optional()
  })
});

const RemediationRequestedData = z.looseObject({
  healingId: z.string().min(1),
  target: Target,
  params: z.record(z.string(), z.unknown()).default({}),
  dryRun: z.boolean().default(false),
  reason: z.string().max(LIMITS.summary).optional(),
  /** Which request of this healing this is (1, 2, …): a signature over the request covers it (DESIGN §15). */
  attempt: Attempt.optional(),
  signature: Signature.optional(),
  /** A human approved this action (DESIGN §12): applied only if the target is still as it was approved. */
  approval: GrantedApproval.optional()
});

function remediationRequested<A extends ActionName>(action: A) {
  return defineEvent({
    type: `dev.cortex.remediation.${action}.requested` as const,
    description: `The coordinator asks ${remediationFunction(action)} to act on a target.`,
    data: RemediationRequestedData
  });
}

/** One command type per remediation, generated from ACTIONS so the type template is written once. */
export const RemediationRequested = Object.freeze(Object.fromEntries(ACTIONS.map((a) => [a, remediationRequested(a)]))) as {
  readonly [A in ActionName]: ReturnType<typeof remediationRequested<A>>;
};

export const RemediationCompleted = defineEvent({
  type: 'dev.cortex.remediation.completed',
  description: 'A remediation reports what it did (or would do, or refused to do), who acted and why.',
  data: z.looseObject({
    healingId: z.string().min(1),
    action: Action,
    outcome: Outcome,
    /** With outcome `failed`: why, for machines. */
    failure: FailureCode.optional(),
    summary: z.string().max(LIMITS.summary),
    changes: list(Change, LIMITS.items),
    manualSteps: list(z.string().max(LIMITS.summary), LIMITS.steps),
    target: Target.optional(),
    audit: Audit.optional(),
    /** With outcome `denied`: the request was refused before anything was looked at (not signed by the coordinator). */
    refusal: Refusal.optional(),
    signature: Signature.optional(),
    /** With outcome `approval_required`: the dry-run diff and the state it was computed from. */
    approval: ApprovalNeed.optional(),
    /** With outcome `applied` (mutating actions): what the target was before the action, for verify and rollback. */
    record: PreActionRecord.optional()
  })
});

export const ApprovalRequested = defineEvent({
  type: 'dev.cortex.approval.requested',
  description: 'The coordinator asks a human to approve a risky action: its dry-run diff, the state it was computed from.',
  data: ApprovalRequestedData
});

export const ApprovalDecided = defineEvent({
  type: 'dev.cortex.approval.decided',
  description: 'An operator approved or denied a pending action (signed by the approvals function).',
  data: ApprovalDecidedData
});

export const HealingCompleted = defineEvent({
  type: 'dev.cortex.healing.completed',
  description: 'A healing run ended with the target healthy.',
  data: z.looseObject({
    healingId: z.string().min(1),
    target: Target,
    actions: list(z.string(), 20),
    durationMs: z.number().nonnegative(),
    summary: z.string().max(LIMITS.summary),
    sessionIds: ids.optional(),
    rootCause: RootCause.optional(),
    signature: Signature.optional()
  })
});

export const HealingFailed = defineEvent({
  type: 'dev.cortex.healing.failed',
  description: 'A healing run ended without a fix: findings and the manual steps for a human.',
  data: z.looseObject({
    healingId: z.string().min(1),
    target: Target,
    reasonCode: ReasonCode,
    reason: z.string().max(LIMITS.summary),
    findings: list(Finding, LIMITS.steps),
    manualSteps: list(z.string().max(LIMITS.summary), LIMITS.steps),
    sessionIds: ids.optional(),
    rootCause: RootCause.optional(),
    /** With `escalated` or `repeat_suppressed`: when automatic healing of the target resumes. */
    resumesAt: Timestamp.optional(),
    signature: Signature.optional(),
    /** The fix made things worse and was undone (DESIGN §12); `undone` says what. */
    rolledBack: z.boolean().optional(),
    undone: z.array(Change).max(LIMITS.items).optional()
  })
});

export const HealingExplained = defineEvent({
  type: 'dev.cortex.healing.explained',
  description: 'A healing outcome explained in plain words: root cause and next step, from a redacted brief.',
  data: z.looseObject({
    healingId: z.string().min(1),
    target: Target,
    summary: z.string().max(LIMITS.summary),
    nextStep: z.string().max(LIMITS.summary),
    /** The model that wrote it, or `none`: written from the findings alone (budget spent, Claude failed). */
    model: z.string().min(1).max(LIMITS.name),
    /** How many values were redacted from the brief before it left the cluster (the values never travel). */
    redactions: z.number().int().nonnegative(),
    outcome: z.enum(['healed', 'failed']).optional(),
    sessionIds: ids.optional()
  })
});

export const ChatDelayed = defineEvent({
  type: 'dev.cortex.chat.delayed',
  description: 'The Claude API asked the chat to wait; it retries after the delay.',
  data: z.looseObject({
    sessionId: z.string().min(1).max(LIMITS.id),
    reason: z.string().max(LIMITS.reason),
    attempt: z.number().int().nonnegative(),
    retryInMs: z.number().nonnegative(),
    signature: Signature.optional()
  })
});

/** Knative's PingSource tick: the coordinator checks its deadlines when it arrives. */
export const PingTick = defineEvent({
  type: 'dev.knative.sources.ping',
  description: 'PingSource tick (Knative); the coordinator checks phase deadlines.',
  data: z.unknown()
});

export const Events = {
  ErrorReported,
  HealingRequested,
  HealingStarted,
  DiagnosisRequested,
  VerificationRequested,
  DiagnosisCompleted,
  HealingProgress,
  RemediationRequested,
  RemediationCompleted,
  ApprovalRequested,
  ApprovalDecided,
  HealingCompleted,
  HealingFailed,
  HealingExplained,
  ChatDelayed,
  PingTick
} as const;
