import type { HealingRecord } from '../../shared/history/record.js';
import { redactDeep } from '../../shared/redact/redact.js';

/*
 * The brief Claude reads: what a healing was about and what happened, structured, small and redacted. Evidence in the
 * record is already redacted whole and cut; everything else is redacted here, so nothing leaves unredacted.
 */

/** Findings and actions a brief carries at most. */
const MAX_FINDINGS = 12;
const MAX_ACTIONS = 8;

export interface Brief {
  healingId: string;
  target: string;
  reason: string;
  outcome: 'healed' | 'failed';
  reasonCode: string | undefined;
  summary: string;
  durationMs: number | undefined;
  findings: Array<{ check: string; phase: string; verdict: string; summary: string; evidence: string[] }>;
  actions: Array<{ action: string; outcome: string; summary: string }>;
  manualSteps: string[];
  rootCause: unknown;
}

/**
 * The redacted brief of an ended healing and how many values redaction removed from it (the record's own count
 * included).
 *
 * @example
 * const { brief, redactions } = briefOf(record);
 */
export function briefOf(record: HealingRecord): { brief: Brief; redactions: number } {
  const problems = record.findings.filter((f) => f.verdict !== 'healthy');
  const findings = [...problems, ...record.findings.filter((f) => f.verdict === 'healthy')].slice(0, MAX_FINDINGS);
  const raw: Brief = {
    healingId: record.healingId,
    target: record.target ? `${record.target.namespace}/${record.target.service}` : 'unknown',
    reason: record.reason,
    outcome: record.outcome === 'healed' ? 'healed' : 'failed',
    reasonCode: record.reasonCode,
    summary: record.summary,
    durationMs: record.durationMs,
    findings: findings.map(({ check, phase, verdict, summary, evidence }) => ({ check, phase, verdict, summary, evidence })),
    actions: record.actions.slice(0, MAX_ACTIONS).map(({ action, outcome, summary }) => ({ action, outcome, summary })),
    manualSteps: record.manualSteps.slice(0, 5),
    rootCause: record.rootCause
  };
  const earlier = findings.reduce((n, f) => n + f.redactions, 0);
  const { value, count } = redactDeep(raw);
  return { brief: value, redactions: earlier + count };
}
