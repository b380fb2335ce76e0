import { Events } from '../events/catalog.js';
import type { DataOf, Intent } from '../events/define.js';
import type { Action, CheckName, Evidence, Phase, Target, Verdict } from '../events/schemas.js';
import type { CortexEvent, Ctx } from '../runtime/define-function.js';
import { ForbiddenError } from '../runtime/errors.js';
import { cleanLine } from './text.js';

/*
 * What every check shares: skip when not asked, turn "the API forbade us to look" into an inconclusive verdict,
 * keep the completed event within its schema's bounds. The check itself only inspects and judges.
 */

/** What a check is asked to look at. */
export interface CheckRequest {
  healingId: string;
  target: Target;
  phase: Phase;
  /** The coordinator's deadline for this phase, if it sent one. */
  deadline: Date | undefined;
}

/** What a check concluded. */
export interface CheckFinding {
  verdict: Verdict;
  /** One line a user can read, naming objects and counts. */
  summary: string;
  evidence: Evidence[];
  recommendation?: { action: Action; reason: string; params: Record<string, unknown> };
}

export type Inspect = (req: CheckRequest, ctx: Ctx) => Promise<CheckFinding>;

type DiagnosisRequestedEvent = CortexEvent<string, DataOf<typeof Events.DiagnosisRequested>>;

const MAX_EVIDENCE = 50;

function bounded(f: CheckFinding): CheckFinding {
  const evidence = f.evidence.slice(0, MAX_EVIDENCE).map((e) => ({
    ...e,
    subject: e.subject.slice(0, 512),
    detail: e.detail.slice(0, 4096),
    ...(e.reason !== undefined ? { reason: e.reason.slice(0, 256) } : {})
  }));
  if (f.evidence.length > MAX_EVIDENCE) {
    evidence.push({ subject: 'evidence', detail: `${f.evidence.length - MAX_EVIDENCE} more items left out` });
  }
  const recommendation = f.recommendation && { ...f.recommendation, reason: f.recommendation.reason.slice(0, 1024) };
  return { ...f, summary: f.summary.slice(0, 2048), evidence, ...(recommendation ? { recommendation } : {}) };
}

/**
 * Runs one check for a `diagnosis.requested`: no intents when `data.checks` does not list it (the runtime answers
 * 202), otherwise exactly one `diagnosis.completed`. A ForbiddenError from the Kubernetes API becomes an
 * `inconclusive` verdict saying what was forbidden; TransientError and ConflictError propagate (503/409, retried).
 *
 * @example
 * handle: (event, ctx) => runCheck('pod-status', event, ctx, inspectPodStatus)
 */
export async function runCheck(
  check: CheckName,
  event: DiagnosisRequestedEvent,
  ctx: Ctx,
  inspect: Inspect
): Promise<Intent[]> {
  const { healingId, target, phase, checks, deadline } = event.data;
  if (!checks.includes(check)) return [];
  const req: CheckRequest = { healingId, target, phase, deadline: deadline ? new Date(deadline) : undefined };
  let finding: CheckFinding;
  try {
    finding = await inspect(req, ctx);
  } catch (err) {
    if (!(err instanceof ForbiddenError)) throw err;
    const what = cleanLine(err.message, 400);
    finding = {
      verdict: 'inconclusive',
      summary: `forbidden: ${what}`,
      evidence: [{ subject: `${target.namespace}/${target.service}`, detail: what, reason: 'Forbidden' }]
    };
  }
  ctx.log.debug({ check, healingId, verdict: finding.verdict }, finding.summary);
  return [Events.DiagnosisCompleted.intent({ healingId, check, phase, ...bounded(finding), target })];
}
