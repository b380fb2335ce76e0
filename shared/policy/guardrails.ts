import type { Action, Target } from '../events/schemas.js';

/** The label a workload carries to opt in to automatic remediation. */
export const OPT_IN_LABEL = 'cortex.dev/self-heal';
export const OPT_IN_VALUE = 'enabled';

export interface PolicyRules {
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
}

export type Decision =
  | { allowed: true; dryRun: boolean; reason: string }
  | { allowed: false; reason: string; manualSteps: string[] };

const matches = (pattern: string, ns: string): boolean =>
  pattern === '*' || pattern === ns || (pattern.endsWith('*') && ns.startsWith(pattern.slice(0, -1)));

/**
 * Decides whether a remediation may act on a target. Pure: the same rules and request give the same decision.
 * A "no" is an outcome (`denied`) with the reason and the steps a human can take instead, never an error.
 *
 * @example
 * decide(rules, { action: 'restart_pods', target: { namespace: 'demo', service: 'api' }, labels: { 'cortex.dev/self-heal': 'enabled' } });
 * // → { allowed: true, dryRun: false, reason: 'demo/api is opted in and demo is allowed' }
 */
export function decide(rules: PolicyRules, req: PolicyRequest): Decision {
  const { namespace, service } = req.target;
  const where = `${namespace}/${service}`;
  if (rules.protectedNamespaces.some((p) => matches(p, namespace))) {
    return deny(`namespace ${namespace} is protected: Cortex never changes it`, req);
  }
  if (!rules.allowedNamespaces.some((p) => matches(p, namespace))) {
    return deny(`namespace ${namespace} is not in the allow-list (${rules.allowedNamespaces.join(', ') || 'empty'})`, req);
  }
  if (req.labels === undefined) return deny(`the workload behind ${where} could not be read, so its opt-in is unknown`, req);
  if (req.labels[OPT_IN_LABEL] !== OPT_IN_VALUE) {
    return deny(`${where} is not opted in (label ${OPT_IN_LABEL}=${OPT_IN_VALUE} is missing)`, req, [
      `To allow automatic healing: kubectl label deployment -n ${namespace} <deployment> ${OPT_IN_LABEL}=${OPT_IN_VALUE}`
    ]);
  }
  const dryRun = rules.mode === 'dry-run';
  return { allowed: true, dryRun, reason: `${where} is opted in and ${namespace} is allowed${dryRun ? ' (dry-run mode)' : ''}` };
}

function deny(reason: string, req: PolicyRequest, extra: string[] = []): Decision {
  const { namespace, service } = req.target;
  return {
    allowed: false,
    reason,
    manualSteps: [
      `Cortex did not run ${req.action} on ${namespace}/${service}: ${reason}.`,
      ...extra,
      `Inspect it by hand: kubectl get pods -n ${namespace} -l <selector of service ${service}>; kubectl describe service -n ${namespace} ${service}`
    ]
  };
}

/** The guardrails as a port, bound to the configured rules. */
export interface Policy {
  readonly mode: 'enforce' | 'dry-run';
  decide(req: PolicyRequest): Decision;
}

export function createPolicy(rules: PolicyRules): Policy {
  return { mode: rules.mode, decide: (req) => decide(rules, req) };
}
