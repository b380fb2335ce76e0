import { Events, LIMITS } from '../events/catalog.js';
import type { Intent } from '../events/define.js';
import type {
  Action,
  ApprovalNeed,
  Audit,
  Change,
  FailureCode,
  GrantedApproval,
  Outcome,
  PreActionRecord,
  Refusal,
  Target
} from '../events/schemas.js';

/** What a remediation is asked to do: the data of a `dev.cortex.remediation.<action>.requested` event. */
export interface RemediationRequest {
  healingId: string;
  target: Target;
  params: Record<string, unknown>;
  dryRun: boolean;
  reason?: string | undefined;
  /** A human's approval, attached by the coordinator when it asks again (DESIGN §12). */
  approval?: GrantedApproval | undefined;
}

/** Who acts: the function, as the ServiceAccount it runs under (knative/functions/<name>/rbac.yaml). */
export interface Actor {
  /** The function name, which is also its ServiceAccount. */
  name: string;
  /** The namespace Cortex runs in (`config.namespace`). */
  namespace: string;
}

export interface OutcomeFields {
  outcome: Outcome;
  /** Why a `failed` outcome failed, for the coordinator. */
  failure?: FailureCode;
  summary: string;
  changes?: Change[];
  manualSteps?: string[];
  mode: Audit['mode'];
  /** Why the guardrails allowed or denied it, when they were asked. */
  policy?: string;
  /** Why a `denied` request was not even looked at: it was not signed by the coordinator, or expired, or used. */
  refusal?: Refusal;
  /** With `approval_required`: the dry-run diff and the state it was computed from. */
  approval?: ApprovalNeed;
  /** With `applied`: the target before the action. */
  record?: PreActionRecord;
  /** With `applied` after an approval: who approved, recorded in the audit trail. */
  approvedBy?: GrantedApproval;
}

/**
 * Cuts text to `max` characters, marking the cut.
 *
 * @example
 * clip('abcdef', 4); // → 'abc…'
 */
export const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * The `remediation.completed` intent of one remediation run, with its audit trail: who acted (the function's
 * ServiceAccount), in which mode, and why (the request's reason, else the healing that asked).
 *
 * @example
 * completed('scale_up', request, { name: 'remediate-scale-up', namespace: 'cortex' }, { outcome: 'noop', summary: 'already 2 replicas', mode: 'enforce' });
 */
export function completed(action: Action, request: RemediationRequest, actor: Actor, f: OutcomeFields): Intent {
  const { healingId, target } = request;
  const audit: Audit & { policy?: string } = {
    actor: `system:serviceaccount:${actor.namespace}:${actor.name}`,
    mode: f.mode,
    reason: clip(request.reason ?? `requested by healing ${healingId}`, LIMITS.reason),
    ...(f.policy ? { policy: clip(f.policy, LIMITS.reason) } : {}),
    ...(f.approvedBy
      ? {
          approvedBy: f.approvedBy.decidedBy,
          approvedAt: f.approvedBy.decidedAt,
          approvalId: f.approvedBy.approvalId
        }
      : {})
  };
  return Events.RemediationCompleted.intent({
    healingId,
    action,
    outcome: f.outcome,
    ...(f.failure ? { failure: f.failure } : {}),
    ...(f.refusal ? { refusal: f.refusal } : {}),
    summary: clip(f.summary, LIMITS.summary),
    changes: (f.changes ?? [])
      .slice(0, LIMITS.items)
      .map((c) => (c.detail ? { ...c, detail: clip(c.detail, LIMITS.text) } : c)),
    manualSteps: (f.manualSteps ?? []).slice(0, LIMITS.steps).map((s) => clip(s, LIMITS.summary)),
    target: { namespace: target.namespace, service: target.service },
    audit,
    ...(f.approval ? { approval: { ...f.approval, diff: f.approval.diff.slice(0, LIMITS.items) } } : {}),
    ...(f.record ? { record: f.record } : {})
  });
}

/**
 * `1 pod`, `2 pods`: counts in summaries read as sentences.
 *
 * @example
 * plural(2, 'replica'); // → '2 replicas'
 */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
