import {
  type Budget,
  type BudgetStatus,
  PDBS,
  budgetSelects,
  isPodReady,
  scaledValue,
  withAllowedCondition
} from '../disruption.js';
import { resourceForKind } from '../resources.js';
import { type ObjectStore } from '../store.js';
import { type KubeObject, type Pod, deepEqual, k8sTime } from '../types.js';

/*
 * The disruption controller (pkg/controller/disruption): keeps each PodDisruptionBudget's status current.
 * expectedPods and desiredHealthy follow the spec (an integer minAvailable counts the selected pods; maxUnavailable or
 * a percentage count the replicas their controllers want); currentHealthy counts Ready pods that are not being deleted
 * and not just evicted (disruptedPods, which expire after two minutes); disruptionsAllowed is what is left over.
 * A budget whose pods' controllers cannot be found fails safe: no disruption allowed, condition SyncFailed.
 */

const PODS = resourceForKind('Pod');
const REPLICASETS = resourceForKind('ReplicaSet');
const DEPLOYMENTS = resourceForKind('Deployment');
/** How long an eviction the API server approved keeps its pod out of currentHealthy (DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

const controllerOf = (o: KubeObject) => (o.metadata.ownerReferences ?? []).find((r) => r.controller);
const replicasOf = (o: KubeObject): number => ((o.spec ?? {})['replicas'] as number | undefined) ?? 1;

/** getExpectedScale: the summed scale of the pods' controllers (a Deployment's, for pods of its ReplicaSets). */
function expectedScale(store: ObjectStore, pods: Pod[]): number | string {
  const scales = new Map<string, number>();
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) continue; // unmanaged pods do not count (the real controller only warns)
    const rs = ref.kind === 'ReplicaSet' ? store.get(REPLICASETS, pod.metadata.namespace, ref.name) : undefined;
    if (!rs || rs.metadata.uid !== ref.uid) return `found no controllers for pod "${pod.metadata.name}"`;
    const owner = controllerOf(rs);
    const deployment = owner?.kind === 'Deployment' ? store.get(DEPLOYMENTS, rs.metadata.namespace, owner.name) : undefined;
    const target = deployment ?? rs;
    scales.set(target.metadata.uid, replicasOf(target));
  }
  return [...scales.values()].reduce((a, b) => a + b, 0);
}

/** getExpectedPodCount: [expectedCount, desiredHealthy], or the sync error. */
function expectation(store: ObjectStore, b: Budget, pods: Pod[]): [number, number] | string {
  const { minAvailable, maxUnavailable } = b.spec;
  if (maxUnavailable !== undefined) {
    const expected = expectedScale(store, pods);
    if (typeof expected === 'string') return expected;
    const max = scaledValue(maxUnavailable, expected);
    if (max === undefined) return `invalid value for IntOrString: invalid value "${maxUnavailable}": not a percentage`;
    return [expected, Math.max(0, expected - max)];
  }
  if (typeof minAvailable === 'number') return [pods.length, minAvailable];
  if (typeof minAvailable === 'string') {
    const expected = expectedScale(store, pods);
    if (typeof expected === 'string') return expected;
    const min = scaledValue(minAvailable, expected);
    if (min === undefined) return `invalid value for IntOrString: invalid value "${minAvailable}": not a percentage`;
    return [expected, min];
  }
  return [0, 0];
}

function syncBudget(store: ObjectStore, b: Budget, allPods: Pod[], now: number): number | undefined {
  const pods = allPods.filter((p) => p.metadata.namespace === b.metadata.namespace && budgetSelects(b, p.metadata.labels));
  const generation = b.metadata.generation ?? 1;
  const previous = b.status ?? ({} as BudgetStatus);
  const expectation_ = expectation(store, b, pods);
  let next: BudgetStatus;
  let recheck: number | undefined;
  if (typeof expectation_ === 'string') {
    // failSafe: nothing may be disrupted while the budget cannot be computed.
    next = { ...previous, disruptionsAllowed: 0 };
    const failed = previous.conditions?.find((c) => c.type === 'DisruptionAllowed');
    const same = failed?.reason === 'SyncFailed' && failed.message === expectation_;
    next.conditions = [
      ...(previous.conditions ?? []).filter((c) => c.type !== 'DisruptionAllowed'),
      {
        type: 'DisruptionAllowed',
        status: 'False',
        reason: 'SyncFailed',
        message: expectation_,
        observedGeneration: previous.observedGeneration ?? 0,
        lastTransitionTime: same ? failed!.lastTransitionTime : k8sTime(now)
      }
    ];
  } else {
    const [expectedPods, desiredHealthy] = expectation_;
    const disrupted: Record<string, string> = {};
    for (const pod of pods) {
      const at = previous.disruptedPods?.[pod.metadata.name];
      if (!at || pod.metadata.deletionTimestamp) continue;
      const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
      if (expires <= now) continue;
      disrupted[pod.metadata.name] = at;
      recheck = recheck === undefined ? expires : Math.min(recheck, expires);
    }
    const currentHealthy = pods.filter(
      (p) => !p.metadata.deletionTimestamp && !disrupted[p.metadata.name] && isPodReady(p)
    ).length;
    const allowed = currentHealthy - desiredHealthy;
    next = withAllowedCondition(
      {
        currentHealthy,
        desiredHealthy,
        expectedPods,
        disruptionsAllowed: expectedPods <= 0 || allowed <= 0 ? 0 : allowed,
        ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
        observedGeneration: generation,
        conditions: previous.conditions
      },
      now
    );
  }
  if (!deepEqual(next, previous)) store.update(PDBS, { ...b, status: next as Budget['status'] });
  return recheck;
}

/** One pass over every budget; returns when an approved eviction's grace runs out (a recheck is due), if any. */
export function syncDisruptionBudgets(store: ObjectStore, now: number): number | undefined {
  const budgets = store.list(PDBS) as Budget[];
  if (budgets.length === 0) return undefined;
  const pods = store.list(PODS) as Pod[];
  let due: number | undefined;
  for (const b of budgets) {
    const recheck = syncBudget(store, b, pods, now);
    if (recheck !== undefined && (due === undefined || recheck < due)) due = recheck;
  }
  return due;
}
