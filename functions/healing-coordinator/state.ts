import type { Intent } from '../../shared/events/define.js';
import type { Action, Change, CheckName, FailureCode, Outcome, ReasonCode, Target } from '../../shared/events/schemas.js';
import type { CheckResult } from './plan.js';

/** What one remediation reported. */
export interface RemediationResult {
  outcome: Outcome;
  /** Why a `failed` outcome failed: the remediation's code, or `timeout` when it never answered. */
  failure?: FailureCode | 'timeout' | undefined;
  summary: string;
  manualSteps: string[];
  changes: Change[];
}

export type Phase = 'diagnose' | 'remediate' | 'verify';

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
}

/** A run that ended (or an escalation that refused to start one). */
export interface Ended {
  healingId: string;
  startedAt: string;
  endedAt: string;
  status: 'completed' | 'failed' | 'escalated';
  /** Why it failed (failed and escalated runs). */
  reasonCode?: ReasonCode | undefined;
  summary: string;
  manualSteps: string[];
  /** Sessions of absorbed reports not yet told this outcome (told in batches, like joins). */
  unannounced?: string[];
  announcedAt?: string;
}

/** Everything the coordinator keeps per target: at most one active run, recent history, and an outbox. */
export interface TargetState {
  target: Target;
  active: Healing | undefined;
  history: Ended[];
  /** Intents already emitted per handled event key, so a redelivery re-publishes them instead of acting twice. */
  outbox: Array<[string, Intent[]]>;
}

export const MAX_HISTORY = 20;
/** Joins are announced in batches: an error storm of thousands of reports makes a few events, not thousands. */
export const JOIN_ANNOUNCE_MS = 1_000;
export const MAX_OUTBOX = 500;

export function emptyState(target: Target): TargetState {
  return { target, active: undefined, history: [], outbox: [] };
}
