import { resourceForKind } from '../resources.js';
import { type ObjectStore } from '../store.js';
import { type Deployment, type KubeObject, type ReplicaSet, deepEqual, k8sTime } from '../types.js';

/*
 * Deployment status as the deployment controller computes it (calculateStatus): counts summed over the
 * ReplicaSets (zero counts left out, as Go's omitempty does), and the Available and Progressing conditions whose
 * timestamps only move when their status or reason changes.
 */

const DEPLOY = resourceForKind('Deployment');
export const REVISION = 'deployment.kubernetes.io/revision';

/** An int or a percentage of `total` (maxSurge rounds up, maxUnavailable down). */
export function resolve(v: number | string | undefined, total: number, roundUp: boolean, def: string): number {
  const val = v ?? def;
  if (typeof val === 'number') return val;
  const pct = Number.parseInt(val, 10) / 100;
  return roundUp ? Math.ceil(total * pct) : Math.floor(total * pct);
}

export const specReplicas = (rs: ReplicaSet): number => rs.spec.replicas ?? 0;
export const statusNum = (o: KubeObject, k: string): number =>
  typeof o.status?.[k] === 'number' ? (o.status[k] as number) : 0;

type Condition = {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
};

export function writeDeploymentStatus(
  store: ObjectStore,
  d: Deployment,
  newRS: ReplicaSet | undefined,
  all: ReplicaSet[],
  desired: number,
  now: number
): void {
  const sum = (k: string): number => all.reduce((n, rs) => n + statusNum(rs, k), 0);
  const replicas = sum('replicas');
  const available = sum('availableReplicas');
  const updated = newRS ? statusNum(all.find((r) => r.metadata.uid === newRS.metadata.uid) ?? newRS, 'replicas') : 0;
  const total = all.reduce((n, rs) => n + specReplicas(rs), 0);
  const maxUnavailable = resolve(d.spec.strategy?.rollingUpdate?.maxUnavailable, desired, false, '25%');
  const complete = updated === desired && replicas === desired && available === desired;
  const prev = (Array.isArray(d.status?.['conditions']) ? d.status['conditions'] : []) as Condition[];
  const ts = k8sTime(now);
  const cond = (type: string, ok: boolean, reason: string, message: string): Condition => {
    const p = prev.find((c) => c.type === type);
    const status = ok ? 'True' : 'False';
    const same = p && p.status === status && p.reason === reason && p.message === message;
    return {
      type,
      status,
      lastUpdateTime: same ? p.lastUpdateTime : ts,
      lastTransitionTime: p && p.status === status ? p.lastTransitionTime : ts,
      reason,
      message
    };
  };
  const rsName = newRS?.metadata.name ?? d.metadata.name;
  const conditions = [
    available >= desired - maxUnavailable
      ? cond('Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
      : cond('Available', false, 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
    complete
      ? cond('Progressing', true, 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`)
      : cond('Progressing', true, 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`)
  ];
  // Go's omitempty: zero counts are left out, as a real API server returns them.
  const counts = {
    replicas,
    updatedReplicas: updated,
    readyReplicas: sum('readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available)
  };
  const status: Record<string, unknown> = { observedGeneration: d.metadata.generation ?? 1 };
  for (const [k, v] of Object.entries(counts)) if (v !== 0) status[k] = v;
  status['conditions'] = conditions;
  const annotations = { ...(d.metadata.annotations ?? {}) };
  if (newRS) annotations[REVISION] = newRS.metadata.annotations?.[REVISION] ?? '1';
  if (deepEqual(status, d.status) && deepEqual(annotations, d.metadata.annotations ?? {})) return;
  store.update(DEPLOY, { ...d, metadata: { ...d.metadata, annotations }, status });
}
