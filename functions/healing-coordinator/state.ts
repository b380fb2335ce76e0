import type { Intent } from '../../shared/events/define.js';
import type {
  Action,
  ApprovalNeed,
  Change,
  CheckName,
  DependencyFinding,
  FailureCode,
  Finding,
  Outcome,
  PreActionRecord,
  ReasonCode,
  RootCause,
  Target
} from '../../shared/events/schemas.js';
import type { CheckResult } from './plan.js';

/*
 * What the coordinator keeps per target, as plain JSON (a store keeps it whole, one key per target, compare-and-set):
 * the active run, recent history, the memory of what was done and whether it healed, and an outbox for redeliveries.
 */

/** What one remediation reported. */
export interface RemediationResult {
  outcome: Outcome;
  /** Why a `failed` outcome failed: the remediation's code, or `timeout` when it never answered. */
  failure?: FailureCode | 'timeout' | undefined;
  summary: string;
  manualSteps: string[];
  changes: Change[];
  /** With `approval_required`: the dry-run diff and the state it was computed from. */
  approval?: ApprovalNeed | undefined;
  /** With `applied`: what the target was before the action (verification compares, a rollback goes back to it). */
  record?: PreActionRecord | undefined;
}

/** An action waiting for a human's decision (approval.ts). */
export interface PendingApproval {
  approvalId: string;
  action: Action;
  params: Record<string, unknown>;
  reason: string;
  need: ApprovalNeed;
  expiresAt: string;
  /** The digest of the approval.requested data: a decision must name it. */
  digest: string;
}

/** A rollback under way (rollback.ts): what is undone, why, and what the rollback did. */
export interface RollbackState {
  undo: Action;
  why: string;
  record: PreActionRecord;
  /** The rollback's own outcome, once it answered. */
  result?: RemediationResult;
}

/** `dependency`: waiting for the healing of a Service the target needs (root cause first). */
export type Phase = 'diagnose' | 'remediate' | 'verify' | 'dependency' | 'approval' | 'rollback';

/** A healing that waits for this one: the dependency's healing tells it how it ended. */
export interface ParentLink {
  healingId: string;
  target: Target;
}

/** The healing of a dependency this healing waits for, and what it ended with. */
export interface DependencyWait {
  target: Target;
  /** What check-dependencies found: the evidence and the commands, for the outcome's text. */
  finding: DependencyFinding;
  since: string;
  ended?: DependencyEnd;
}

/** How a dependency's healing ended, as its target's saga tells the healing that waited for it. */
export interface DependencyEnd {
  healingId: string;
  target: Target;
  status: 'completed' | 'failed' | 'escalated';
  reasonCode?: ReasonCode | undefined;
  summary: string;
  actions: string[];
  manualSteps: string[];
}

/** The one active healing run of a target. */
export interface Healing {
  id: string;
  target: Target;
  reason: string;
  startedAt: string;
  /** The W3C traceparent of the report that started it: what the deadline timer publishes under, so a healing stays one trace. */
  trace?: string | undefined;
  sessionIds: string[];
  /** Sessions that joined since the last `joined` announcement (announced at most once per JOIN_ANNOUNCE_MS). */
  unannounced: string[];
  announcedAt: string;
  reportIds: string[];
  phase: Phase;
  /** When the current phase gives up on silent checks or remediations (ISO-8601). */
  deadline: string;
  diagnosis: Partial<Record<CheckName, CheckResult>>;
  requested: Array<{ action: Action; params: Record<string, unknown>; reason: string }>;
  remediation: Partial<Record<Action, RemediationResult>>;
  verification: Partial<Record<CheckName, CheckResult>>;
  /** The fault fingerprint the current plan was made for (memory.ts). */
  fingerprint?: string;
  /** Remediation requests sent so far: each carries its number (`attempt`), which a request signature covers. */
  attempts?: number;
  /** A dependency's healing: the healings waiting for it. */
  parents?: ParentLink[];
  /** A dependency's healing: the targets above it, the original first (`namespace/service`). */
  chain?: string[];
  /** The dependency this healing waits for, or waited for (then `ended` says how its healing ended). */
  dependency?: DependencyWait;
  /** Diagnosis rounds: a second one follows a dependency's healing. */
  round?: number;
  /** An action waiting for a human's approval (phase `approval`), or approved and asked again. */
  approval?: PendingApproval;
  /** How many times an approved action was found stale (the target moved) and asked again. */
  staleRounds?: number;
  /** The fix made things worse: its rollback (phase `rollback`, then `verify` again). */
  rollback?: RollbackState;
}

/** What Cortex did to a target and whether it healed: the memory of failed fixes and the budget's count. */
export interface ActionRecord {
  action: Action;
  /** The fault it was planned for (memory.ts). */
  fingerprint: string;
  healingId: string;
  /** When the healing that asked for it ended. */
  at: string;
  outcome: Outcome;
  /** `healed`: the target verified healthy; `not_healed`: it ran and the target stayed unhealthy; `other`: neither. */
  result: 'healed' | 'not_healed' | 'other';
  summary: string;
}

/** A run that ended. */
export interface Ended {
  healingId: string;
  startedAt: string;
  endedAt: string;
  status: 'completed' | 'failed' | 'escalated';
  /** Why it failed (failed and escalated runs). */
  reasonCode?: ReasonCode | undefined;
  summary: string;
  manualSteps: string[];
  /** What it did (applied actions; a dependency's as `action (namespace/service)`). */
  actions?: string[];
  /** Ended "healthy now" without doing anything: counted against the transient limit, not the budget. */
  transient?: boolean;
  rootCause?: RootCause | undefined;
  findings?: Finding[];
  /** An escalation (or a suppressed repeat): when automatic healing resumes. */
  resumesAt?: string;
  /** Sessions of absorbed reports not yet told this outcome (told in batches, like joins). */
  unannounced?: string[];
  /** Absorbed reports not yet told, sessions or not: a report without a session is shown too. */
  unannouncedReports?: number;
  announcedAt?: string;
  /** How many times reports during an escalation were told it again. */
  repeats?: number;
  /** Reports past the transient limit: absorbed until then, and why. */
  held?: { until: string; why: string };
}

/** Everything the coordinator keeps per target: at most one active run, recent history, memory, and an outbox. */
export interface TargetState {
  target: Target;
  active: Healing | undefined;
  history: Ended[];
  /** What was done and whether it healed; absent in state written before it existed. */
  actions?: ActionRecord[];
  /** Intents already emitted per handled event key, so a redelivery re-publishes them instead of acting twice. */
  outbox: Array<[string, Intent[]]>;
}

export const MAX_HISTORY = 20;
export const MAX_ACTIONS = 50;
/** Joins are announced in batches: an error storm of thousands of reports makes a few events, not thousands. */
export const JOIN_ANNOUNCE_MS = 1_000;
export const MAX_OUTBOX = 500;

export function emptyState(target: Target): TargetState {
  return { target, active: undefined, history: [], actions: [], outbox: [] };
}
