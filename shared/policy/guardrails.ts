import type { Action, Target } from '../events/schemas.js';
import { approvalNeeded, type ApprovalRules } from './approval.js';

/** The label a workload carries to opt in to automatic remediation. */
export const OPT_IN_LABEL = 'cortex.dev/self-heal';
export const OPT_IN_VALUE = 'enabled';

export interface PolicyRules extends Partial<ApprovalRules> {
  mode: 'enforce' | 'dry-run';
  /** Namespaces remediation may act in; `*` allows any that is not protected. Patterns may end in `*`. */
  allowedNamespaces: readonly string[];
  /** Namespaces never touched, whatever else says; patterns may end in `*` (e.g. `knative-*`). */
  protectedNamespaces: readonly string[];
}

export interface PolicyRequest {
  action: Action;
  target: Pick<Target, 'namespace' | 'service'>;
  /** Labels of the workload about to be changed (the Deployment), or undefined if it could not be read. */
  labels: Readonly<Record<string, string>> | undefined;
  /** The request itself asks for a dry run (`dryRun: true` in the event), whatever the configured mode. */
  dryRun?: boolean;
  /** The Deployment behind the target and its pods' selector, when known: the manual steps name them. */
  workload?: { deployment: string; selector: string | undefined };
}

export type Decision =
  { allowed: true; dryRun: boolean; reason: string } | { allowed: false; reason: string; manualSteps: string[] };

const matches = (pattern: string, ns: string): boolean =>
  pattern === '*' || pattern === ns || (pattern.endsWith('*') && ns.startsWith(pattern.slice(0, -1)));

/**
 * The namespace half of the guardrails: protected namespaces and the allow-list. It needs no read of the cluster,
 * so a remediation asks it first and never even reads a workload in a namespace it may not touch.
 *
 * @example
 * decideNamespace(rules, { action: 'scale_up', target: { namespace: 'kube-system', service: 'dns' } });
 * // → { allowed: false, reason: 'namespace kube-system is protected: Cortex never changes it', manualSteps: [...] }
 */
export function decideNamespace(rules: PolicyRules, req: Omit<PolicyRequest, 'labels'>): Decision {
  const { namespace } = req.target;
  if (rules.protectedNamespaces.some((p) => matches(p, namespace))) {
    return deny(`namespace ${namespace} is protected: Cortex never changes it`, req);
  }
  if (!rules.allowedNamespaces.some((p) => matches(p, namespace))) {
    return deny(`namespace ${namespace} is not in the allow-list (${rules.allowedNamespaces.join(', ') || 'empty'})`, req);
  }
  return allow(rules, req, `namespace ${namespace} is allowed`);
}

/**
 * Decides whether a remediation may act on a target. Pure: the same rules and request give the same decision.
 * A "no" is an outcome (`denied`) with the reason and the steps a human can take instead, never an error.
 * An allowed decision says whether to act for real or as a server-side dry run (configured mode or the request).
 *
 * @example
 * decide(rules, { action: 'restart_pods', target: { namespace: 'demo', service: 'api' }, labels: { 'cortex.dev/self-heal': 'enabled' } });
 * // → { allowed: true, dryRun: false, reason: 'demo/api is opted in and namespace demo is allowed' }
 */
export function decide(rules: PolicyRules, req: PolicyRequest): Decision {
  const { namespace, service } = req.target;
  const where = `${namespace}/${service}`;
  const byNamespace = decideNamespace(rules, req);
  if (!byNamespace.allowed) return byNamespace;
  if (req.labels === undefined || req.labels === null || typeof req.labels !== 'object') {
    return deny(`the workload behind ${where} could not be read, so its opt-in is unknown`, req);
  }
  const value = req.labels[OPT_IN_LABEL];
  if (value !== OPT_IN_VALUE) {
    const why = value === undefined ? 'is missing' : `is "${value}", not "${OPT_IN_VALUE}"`;
    const deployment = req.workload?.deployment ?? service;
    return deny(`${where} is not opted in (label ${OPT_IN_LABEL} ${why})`, req, [
      `To allow automatic healing: kubectl label deployment -n ${namespace} ${deployment} ${OPT_IN_LABEL}=${OPT_IN_VALUE} --overwrite`
    ]);
  }
  return allow(rules, req, `${where} is opted in and namespace ${namespace} is allowed`);
}

function allow(rules: PolicyRules, req: Omit<PolicyRequest, 'labels'>, reason: string): Decision {
  const byMode = rules.mode === 'dry-run';
  const dryRun = byMode || req.dryRun === true;
  const why = byMode ? ' (dry-run mode)' : dryRun ? ' (dry run requested)' : '';
  return { allowed: true, dryRun, reason: `${reason}${why}` };
}

function deny(reason: string, req: Omit<PolicyRequest, 'labels'>, extra: string[] = []): Decision {
  const { namespace, service } = req.target;
  const pods = req.workload?.selector
    ? `kubectl get pods -n ${namespace} -l ${req.workload.selector} -o wide`
    : `kubectl get endpoints -n ${namespace} ${service}`;
  return {
    allowed: false,
    reason,
    manualSteps: [
      `Cortex did not run ${req.action} on ${namespace}/${service}: ${reason}.`,
      ...extra,
      `Inspect it by hand: kubectl describe service -n ${namespace} ${service}; ${pods}`
    ]
  };
}

/** The guardrails as a port, bound to the configured rules. */
export interface Policy {
  readonly mode: 'enforce' | 'dry-run';
  decide(req: PolicyRequest): Decision;
  decideNamespace(req: Omit<PolicyRequest, 'labels'>): Decision;
  /** Why a write of this action on this workload needs a human's approval first (shared/policy/approval.ts). */
  approvalNeeded(req: {
    action: Action;
    target: Pick<Target, 'namespace'>;
    labels: Readonly<Record<string, string>>;
  }): string | undefined;
}

/**
 * Binds the guardrails to the configured rules (`config.remediation`).
 *
 * @example
 * const policy = createPolicy(config.remediation);
 * policy.decide({ action: 'scale_up', target, labels: deployment.metadata?.labels ?? {} });
 */
export function createPolicy(rules: PolicyRules): Policy {
  const approval: ApprovalRules = {
    approvalNamespaces: rules.approvalNamespaces ?? [],
    approvalActions: rules.approvalActions ?? []
  };
  return {
    mode: rules.mode,
    decide: (req) => decide(rules, req),
    decideNamespace: (req) => decideNamespace(rules, req),
    approvalNeeded: (req) => approvalNeeded(approval, req)
  };
}
