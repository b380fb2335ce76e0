import { Events, LIMITS } from '../events/catalog.js';
import type { DataOf, Intent } from '../events/define.js';
import {
  checkFunction,
  type Action,
  type CheckName,
  type DependencyFinding,
  type Observed,
  type Evidence,
  type Phase,
  type Target,
  type Verdict,
  VERIFY_CHECKS
} from '../events/schemas.js';
import type { Config } from '../runtime/config.js';
import {
  defineFunction,
  type CortexEvent,
  type Ctx,
  type FunctionDef,
  type KnativeOptions,
  type KubeNeed,
  type SetupCtx,
  type TrustSpec
} from '../runtime/define-function.js';
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
  /**
   * A short code of what the check saw (`crashing`, `scaled_to_zero`, `connection_refused+crash`), the same for the
   * same fault from one run to the next: the coordinator remembers which fix failed for which fault by it.
   */
  symptom?: string;
  /** Commands a human runs to look further, with the real names filled in (at most 5). */
  commands?: string[];
  /** check-dependencies: the Services (or addresses) the evidence points at. */
  dependencies?: DependencyFinding[];
  /** Counts verification compares with a remediation's pre-action record: Ready and faulty pods, ready endpoints. */
  observed?: Observed;
}

/** What every check is configured with: how long a verify-phase check may wait, where the chat's traffic comes from. */
export interface CheckDeps {
  readonly checks: Config['checks'];
}

/** A check's handler context. */
export type CheckCtx = Ctx<CheckDeps>;

export type Inspect = (req: CheckRequest, ctx: CheckCtx) => Promise<CheckFinding>;

/** The slice of configuration a check uses. */
export const checkSetup = ({ config }: Pick<SetupCtx, 'config'>): CheckDeps => ({ checks: config.checks });

/** Every check resolves its target the same way (readTarget), with these reads. */
export { TARGET_READS } from '../kube/workload.js';

type DiagnosisRequestedEvent = CortexEvent<string, DataOf<typeof Events.DiagnosisRequested>>;

const MAX_EVIDENCE = LIMITS.steps;

function bounded(f: CheckFinding): CheckFinding {
  const evidence = f.evidence.slice(0, MAX_EVIDENCE).map((e) => ({
    ...e,
    subject: e.subject.slice(0, LIMITS.subject),
    detail: e.detail.slice(0, LIMITS.text),
    ...(e.reason !== undefined ? { reason: e.reason.slice(0, LIMITS.id) } : {})
  }));
  if (f.evidence.length > MAX_EVIDENCE) {
    evidence.push({ subject: 'evidence', detail: `${f.evidence.length - MAX_EVIDENCE} more items left out` });
  }
  const recommendation = f.recommendation && {
    ...f.recommendation,
    reason: f.recommendation.reason.slice(0, LIMITS.reason)
  };
  const commands = f.commands?.slice(0, 5).map((c) => c.slice(0, LIMITS.summary));
  return {
    ...f,
    summary: f.summary.slice(0, LIMITS.summary),
    evidence,
    ...(recommendation ? { recommendation } : {}),
    ...(f.symptom !== undefined ? { symptom: f.symptom.slice(0, LIMITS.name) } : {}),
    ...(commands ? { commands } : {}),
    ...(f.dependencies ? { dependencies: f.dependencies.slice(0, 10) } : {})
  };
}

/**
 * Runs one check for a `diagnosis.requested` (or, for a verify check, a `verification.requested`): no intents when
 * `data.checks` does not list it (the runtime answers 202), otherwise exactly one `diagnosis.completed`. A ForbiddenError from the Kubernetes API becomes an
 * `inconclusive` verdict saying what was forbidden; TransientError and ConflictError propagate (503/409, retried).
 *
 * @example
 * handle: (event, ctx) => runCheck('pod-status', event, ctx, inspectPodStatus)
 */
export async function runCheck(
  check: CheckName,
  event: DiagnosisRequestedEvent,
  ctx: CheckCtx,
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

/** A diagnostic check, as its manifest declares it; the function name is `check-<check>`. */
export interface CheckSpec {
  readonly check: CheckName;
  readonly description: string;
  /** The RBAC the check needs (least privilege: exactly what `inspect` reads). */
  readonly kube: readonly KubeNeed[];
  readonly knative?: KnativeOptions;
  readonly inspect: Inspect;
}

/**
 * Checks take only requests the coordinator signed, each once per healing, phase and attempt, and sign their answers
 * (docs/security.md). A refused request gets no answer: an answer would count for a healing someone else named.
 */
export const CHECK_TRUST: TrustSpec = {
  verify: [
    {
      types: [Events.DiagnosisRequested, Events.VerificationRequested],
      key: 'diagnosis',
      once: (d: DataOf<typeof Events.DiagnosisRequested>) => `${d.healingId}:${d.phase}:${d.attempt ?? 1}`,
      refuse: 'ignore'
    }
  ],
  sign: [{ types: [Events.DiagnosisCompleted], key: 'diagnosis' }]
};

/** What a check subscribes to: every check `diagnosis.requested`, the verify checks also `verification.requested`. */
export type CheckRequests = readonly (typeof Events.DiagnosisRequested | typeof Events.VerificationRequested)[];

/** The definition of one check function. */
export type CheckDef = FunctionDef<CheckRequests, readonly [], CheckDeps>;

/** The requests a check takes: a check in VERIFY_CHECKS is also asked to verify fixes. */
export const requestsOf = (check: CheckName): CheckRequests =>
  VERIFY_CHECKS.includes(check) ? [Events.DiagnosisRequested, Events.VerificationRequested] : [Events.DiagnosisRequested];

/**
 * Declares a check: subscribed to `diagnosis.requested` (and `verification.requested` when it verifies fixes), emitting
 * `diagnosis.completed`, run through `runCheck`.
 *
 * @example
 * export default defineCheck({ check: 'pod-status', description: '…', kube: [...TARGET_READS, PODS_LIST], inspect: inspectPodStatus });
 */
export function defineCheck(spec: CheckSpec): CheckDef {
  return defineFunction({
    name: checkFunction(spec.check),
    description: spec.description,
    on: requestsOf(spec.check),
    emits: [Events.DiagnosisCompleted],
    kube: spec.kube,
    ...(spec.knative ? { knative: spec.knative } : {}),
    trust: CHECK_TRUST,
    setup: checkSetup,
    handle: (event, ctx) => runCheck(spec.check, event, ctx, spec.inspect)
  });
}
