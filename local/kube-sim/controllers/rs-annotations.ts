import { type Deployment } from '../types.js';
import { REVISION, resolve } from './deployment-status.js';

/*
 * The annotations the deployment controller keeps on a Deployment's new ReplicaSet (deployment util
 * SetNewReplicaSetAnnotations): every annotation of the Deployment except the ones kept apart is copied over (added
 * or overwritten, never removed), plus its revision and the desired and max replica counts. This is why `kubectl
 * rollout undo`, which sets the Deployment's annotations from the ReplicaSet it goes back to, brings back the
 * annotations the Deployment had while that ReplicaSet was new, and why `kubectl rollout history` shows a
 * `kubernetes.io/change-cause`.
 */

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const DESIRED = 'deployment.kubernetes.io/desired-replicas';
const MAX = 'deployment.kubernetes.io/max-replicas';

/** Never copied from the Deployment (annotationsToSkip in the controller and in kubectl's rollback). */
export const NOT_COPIED: ReadonlySet<string> = new Set([
  LAST_APPLIED,
  REVISION,
  'deployment.kubernetes.io/revision-history',
  DESIRED,
  MAX,
  'deprecated.deployment.rollback.to'
]);

/** The most pods the Deployment may run during a rollout (replicas + maxSurge). */
export function maxReplicas(d: Deployment): number {
  const desired = d.spec.replicas ?? 1;
  if (d.spec.strategy?.type === 'Recreate') return desired;
  return desired + resolve(d.spec.strategy?.rollingUpdate?.maxSurge, desired, true, '25%');
}

/**
 * The annotations the new ReplicaSet of `d` should carry, given its current ones and the highest revision among the
 * Deployment's other ReplicaSets (a ReplicaSet that becomes new again, after a rollback, takes the next revision).
 *
 * @example
 * newReplicaSetAnnotations(deploy, { 'deployment.kubernetes.io/revision': '1' }, 2);
 * // → { …deploy's annotations, 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/desired-replicas': '2', … }
 */
export function newReplicaSetAnnotations(
  d: Deployment,
  current: Readonly<Record<string, string>>,
  maxOldRevision: number
): Record<string, string> {
  const out = { ...current };
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!NOT_COPIED.has(k)) out[k] = v;
  const next = maxOldRevision + 1;
  if (Number(out[REVISION] ?? 0) < next) out[REVISION] = String(next);
  out[DESIRED] = String(d.spec.replicas ?? 1);
  out[MAX] = String(maxReplicas(d));
  return out;
}
