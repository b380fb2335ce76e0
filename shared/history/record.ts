import { Events } from '../events/catalog.js';
import type { DataOf } from '../events/define.js';
import type { Target } from '../events/schemas.js';
import { capText, redactText } from '../redact/redact.js';

/*
 * What is remembered of one healing (DESIGN §13): its timeline, findings with evidence, actions, outcome and
 * explanation, folded from the events that tell it. Pure: `foldHealing(record, event)` returns a new record, so it runs
 * inside a store transaction (which may run it twice). explain-healing folds the same events to build its brief;
 * healing-history keeps the records.
 */

/** Longest piece of evidence kept (the end of a log: the crash is there). */
export const EVIDENCE_CHARS = 1_500;
const MAX_TIMELINE = 100;
const MAX_EVIDENCE = 8;

export type HealingOutcome = 'running' | 'healed' | 'failed';

export interface RecordedFinding {
  check: string;
  phase: string;
  verdict: string;
  summary: string;
  /** Redacted (each piece whole, then cut to its end), so no record holds a secret a check read in a log. */
  evidence: string[];
  /** How many values redaction removed from this finding's evidence. */
  redactions: number;
}

export interface RecordedAction {
  action: string;
  outcome: string;
  summary: string;
  manualSteps: string[];
}

export interface Explanation {
  summary: string;
  nextStep: string;
  model: string;
  redactions: number;
}

export interface HealingRecord {
  healingId: string;
  target: Target | undefined;
  reason: string;
  startedAt: string | undefined;
  endedAt: string | undefined;
  outcome: HealingOutcome;
  reasonCode: string | undefined;
  summary: string;
  durationMs: number | undefined;
  findings: RecordedFinding[];
  actions: RecordedAction[];
  manualSteps: string[];
  rootCause: unknown;
  timeline: Array<{ at: string; type: string; message: string }>;
  explanation: Explanation | undefined;
}

/** The event types a record is folded from. */
export const HISTORY_EVENTS = [
  Events.HealingStarted,
  Events.DiagnosisCompleted,
  Events.HealingProgress,
  Events.RemediationCompleted,
  Events.HealingCompleted,
  Events.HealingFailed,
  Events.HealingExplained
] as const;

/** The types the coordinator signs for the streams (the `stream` key): a record's frame (start, progress, outcome). */
export const SIGNED_HEALING_EVENTS = [
  Events.HealingStarted,
  Events.HealingProgress,
  Events.HealingCompleted,
  Events.HealingFailed
] as const;

export interface FoldableEvent {
  type: string;
  time: string | undefined;
  data: unknown;
}

export const emptyRecord = (healingId: string): HealingRecord => ({
  healingId,
  target: undefined,
  reason: '',
  startedAt: undefined,
  endedAt: undefined,
  outcome: 'running',
  reasonCode: undefined,
  summary: '',
  durationMs: undefined,
  findings: [],
  actions: [],
  manualSteps: [],
  rootCause: undefined,
  timeline: [],
  explanation: undefined
});

function evidenceOf(items: ReadonlyArray<{ subject: string; detail: string }>): { evidence: string[]; redactions: number } {
  let redactions = 0;
  const evidence = items.slice(0, MAX_EVIDENCE).map((x) => {
    const r = redactText(`${x.subject}: ${x.detail}`);
    redactions += r.count;
    return capText(r.value, EVIDENCE_CHARS);
  });
  return { evidence, redactions };
}

type D<E> = DataOf<E> & Record<string, unknown>;

function withEvent(r: HealingRecord, e: FoldableEvent, at: string): HealingRecord {
  switch (e.type) {
    case Events.HealingStarted.type: {
      const d = e.data as D<typeof Events.HealingStarted>;
      return { ...r, target: d.target, reason: d.reason, startedAt: r.startedAt ?? at };
    }
    case Events.DiagnosisCompleted.type: {
      const d = e.data as D<typeof Events.DiagnosisCompleted>;
      const finding: RecordedFinding = {
        check: d.check,
        phase: d.phase,
        verdict: d.verdict,
        summary: d.summary,
        ...evidenceOf(d.evidence)
      };
      const others = r.findings.filter((f) => !(f.check === d.check && f.phase === d.phase));
      return { ...r, target: r.target ?? d.target, findings: [...others, finding] };
    }
    case Events.RemediationCompleted.type: {
      const d = e.data as D<typeof Events.RemediationCompleted>;
      const action = { action: d.action, outcome: d.outcome, summary: d.summary, manualSteps: d.manualSteps };
      return { ...r, target: r.target ?? d.target, actions: [...r.actions, action] };
    }
    case Events.HealingCompleted.type: {
      const d = e.data as D<typeof Events.HealingCompleted>;
      return {
        ...r,
        target: d.target,
        outcome: 'healed',
        summary: d.summary,
        durationMs: d.durationMs,
        endedAt: at,
        rootCause: d.rootCause ?? r.rootCause
      };
    }
    case Events.HealingFailed.type: {
      const d = e.data as D<typeof Events.HealingFailed>;
      const known = new Set(r.findings.map((f) => f.check));
      const extra = d.findings
        .filter((f) => !known.has(f.check))
        .map((f) => ({
          check: f.check,
          phase: 'diagnose',
          verdict: f.verdict,
          summary: f.summary,
          evidence: [],
          redactions: 0
        }));
      const started = r.startedAt ? Date.parse(r.startedAt) : NaN;
      return {
        ...r,
        target: d.target,
        outcome: 'failed',
        reasonCode: d.reasonCode,
        summary: d.reason,
        manualSteps: d.manualSteps,
        findings: [...r.findings, ...extra],
        durationMs: Number.isNaN(started) ? r.durationMs : Math.max(0, Date.parse(at) - started),
        endedAt: at,
        rootCause: d.rootCause ?? r.rootCause
      };
    }
    case Events.HealingExplained.type: {
      const d = e.data as D<typeof Events.HealingExplained>;
      const { summary, nextStep, model, redactions } = d;
      return { ...r, target: r.target ?? d.target, explanation: { summary, nextStep, model, redactions } };
    }
    default:
      return r;
  }
}

/** One line of the timeline for an event. */
function lineOf(e: FoldableEvent): string {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case Events.HealingStarted.type:
      return `started: ${String(d.reason)}`;
    case Events.DiagnosisCompleted.type:
      return `${String(d.check)} (${String(d.phase)}): ${String(d.verdict)}: ${String(d.summary)}`;
    case Events.HealingProgress.type:
      return String(d.message);
    case Events.RemediationCompleted.type:
      return `${String(d.action)}: ${String(d.outcome)}: ${String(d.summary)}`;
    case Events.HealingCompleted.type:
      return `healed: ${String(d.summary)}`;
    case Events.HealingFailed.type:
      return `failed (${String(d.reasonCode)}): ${String(d.reason)}`;
    default:
      return `explained (${String(d.model)})`;
  }
}

/**
 * The record after one more event. Only the types of HISTORY_EVENTS change it.
 *
 * @example
 * const r = foldHealing(undefined, { type: Events.HealingStarted.type, time, data });
 */
export function foldHealing(current: HealingRecord | undefined, e: FoldableEvent): HealingRecord {
  const healingId = String((e.data as { healingId?: unknown }).healingId ?? '');
  const r = current ?? emptyRecord(healingId);
  const at = e.time ?? new Date(0).toISOString();
  const next = withEvent(r, e, at);
  const timeline = [...next.timeline, { at, type: e.type.replace('dev.cortex.', ''), message: lineOf(e) }].slice(
    -MAX_TIMELINE
  );
  return { ...next, startedAt: next.startedAt ?? at, timeline };
}
