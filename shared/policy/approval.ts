import type { Action, Target } from '../events/schemas.js';

/** The label a workload carries to have every mutating action on it approved by a human first. */
export const APPROVAL_LABEL = 'cortex.dev/approval';
export const APPROVAL_VALUE = 'required';

/** Which mutating actions need a human's approval (DESIGN §12). */
export interface ApprovalRules {
  /** Namespaces where every mutating action needs approval; patterns may end in `*`. */
  approvalNamespaces: readonly string[];
  /** Actions that need approval wherever they run (e.g. `rollout_restart`, `restart_pods`). */
  approvalActions: readonly string[];
}

/**
 * Why an action on this workload needs a human's approval, or undefined when it does not. Only actions that write
 * are asked about (a report never needs one). A rollback undoes Cortex's own change and is never held for approval:
 * waiting would leave the workload worse than it was.
 *
 * @example
 * approvalNeeded(rules, { action: 'scale_up', target: { namespace: 'demo', service: 'api' }, labels: { 'cortex.dev/approval': 'required' } });
 * // → 'the workload is labelled cortex.dev/approval=required'
 */
export function approvalNeeded(
  rules: ApprovalRules,
  req: { action: Action; target: Pick<Target, 'namespace'>; labels: Readonly<Record<string, string>> }
): string | undefined {
  if (req.action === 'rollback') return undefined;
  if (req.labels[APPROVAL_LABEL]?.trim() === APPROVAL_VALUE)
    return `the workload is labelled ${APPROVAL_LABEL}=${APPROVAL_VALUE}`;
  const ns = req.target.namespace;
  const pattern = rules.approvalNamespaces.find(
    (p) => p === '*' || p === ns || (p.endsWith('*') && ns.startsWith(p.slice(0, -1)))
  );
  if (pattern) return `namespace ${ns} is in CORTEX_APPROVAL_NAMESPACES (${pattern})`;
  if (rules.approvalActions.includes(req.action)) return `${req.action} is in CORTEX_APPROVAL_ACTIONS`;
  return undefined;
}
