import { resourceForKind } from './resources.js';
import { matchesLabels, requirementsFromSelector } from './selectors.js';
import { type ObjectStore } from './store.js';
import { type KubeObject, type LabelSelectorObject, type Pod, isRecord, k8sTime } from './types.js';

/*
 * What the disruption controller and the eviction subresource share about PodDisruptionBudgets (policy/v1): which
 * budgets cover a pod, when a pod counts as healthy, and the DisruptionAllowed condition
 * (component-helpers/apps/poddisruptionbudget).
 */

export const PDBS = resourceForKind('PodDisruptionBudget');

export interface BudgetStatus {
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  disruptionsAllowed: number;
  disruptedPods?: Record<string, string>;
  observedGeneration?: number;
  conditions?: Array<{
    type: string;
    status: 'True' | 'False';
    reason: string;
    message: string;
    observedGeneration?: number;
    lastTransitionTime: string;
  }>;
}

export interface Budget extends KubeObject {
  spec: {
    selector?: LabelSelectorObject;
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow';
  };
  status?: BudgetStatus & Record<string, unknown>;
}

/** The status of a budget nobody has computed yet (PrepareForCreate). */
export const emptyBudgetStatus = (): BudgetStatus => ({
  currentHealthy: 0,
  desiredHealthy: 0,
  expectedPods: 0,
  disruptionsAllowed: 0
});

/** policy/v1 selector semantics: a missing selector selects nothing, an empty one every pod of the namespace. */
export function budgetSelects(budget: Budget, labels: Record<string, string> | undefined): boolean {
  const sel = budget.spec?.selector;
  if (!isRecord(sel)) return false;
  return matchesLabels(requirementsFromSelector(sel), labels);
}

/** The budgets of the pod's namespace that select it. */
export function budgetsFor(store: ObjectStore, pod: Pod): Budget[] {
  return (store.list(PDBS, pod.metadata.namespace) as Budget[]).filter((b) => budgetSelects(b, pod.metadata.labels));
}

/** podutil.IsPodReady: the Ready condition is True. */
export const isPodReady = (pod: Pod): boolean =>
  (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** UpdateDisruptionAllowedCondition: SufficientPods while a disruption is allowed, else InsufficientPods. */
export function withAllowedCondition(status: BudgetStatus, now: number): BudgetStatus {
  const allowed = status.disruptionsAllowed > 0;
  const previous = status.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const value = allowed ? 'True' : 'False';
  const condition = {
    type: 'DisruptionAllowed',
    status: value,
    reason: allowed ? 'SufficientPods' : 'InsufficientPods',
    message: '',
    ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
    // SetStatusCondition keeps the transition time unless the status changes.
    lastTransitionTime: previous && previous.status === value ? previous.lastTransitionTime : k8sTime(now)
  } as const;
  return {
    ...status,
    conditions: [...(status.conditions ?? []).filter((c) => c.type !== 'DisruptionAllowed'), condition]
  };
}

/** intstr.GetScaledValueFromIntOrPercent(value, total, roundUp=true); undefined for a malformed value. */
export function scaledValue(value: number | string, total: number): number | undefined {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  return m ? Math.ceil((Number(m[1]) * total) / 100) : undefined;
}
