import { type EventRecorder } from '../events.js';
import { resourceForKind } from '../resources.js';
import { type ObjectStore } from '../store.js';
import { type Deployment, type KubeObject, type Pod, type ReplicaSet, deepEqual } from '../types.js';
import { REVISION, resolve, specReplicas, statusNum, writeDeploymentStatus } from './deployment-status.js';
import { ownedBy } from './replicaset.js';
import { newReplicaSetAnnotations } from './rs-annotations.js';
import { HASH_LABEL, normalized, podTemplateHash, sameTemplate } from './template-hash.js';

/*
 * The Deployment controller: one ReplicaSet per pod template (`<deployment>-<pod-template-hash>`), rolling updates
 * bounded by maxSurge/maxUnavailable (or Recreate), and status + conditions in the shape `kubectl rollout status`
 * waits on (observedGeneration, updated/available replicas). Progress deadlines are not modelled. Its
 * ScalingReplicaSet events read as kube-controller-manager writes them (sync.go scaleReplicaSet): "Scaled down replica
 * set <rs> to 0 from 2"; creating a ReplicaSet with pods is "Scaled up replica set <rs> to 1".
 */

const RS = resourceForKind('ReplicaSet');
const DEPLOY = resourceForKind('Deployment');
const PODS = resourceForKind('Pod');
const SOURCE = { component: 'deployment-controller' };
const revision = (o: KubeObject): number => Number(o.metadata.annotations?.[REVISION] ?? 0);

export function syncDeployments(store: ObjectStore, recorder: EventRecorder, now: number): void {
  for (const d of store.list(DEPLOY) as Deployment[]) {
    if (d.metadata.deletionTimestamp) continue;
    const all = (store.list(RS, d.metadata.namespace) as ReplicaSet[]).filter((rs) => ownedBy(rs, d));
    let newRS = all.find((rs) => sameTemplate(rs.spec.template, d.spec.template));
    const old = all.filter((rs) => rs !== newRS);
    const desired = d.spec.replicas ?? 1;
    let created: string | undefined;
    const scale = (rs: ReplicaSet, to: number): ReplicaSet => {
      const from = specReplicas(rs);
      if (from === to) return rs;
      const updated = store.update(RS, { ...rs, spec: { ...rs.spec, replicas: to } }) as ReplicaSet;
      // A ReplicaSet created in this sync is created with its first size: no "from".
      const since = rs.metadata.uid === created ? '' : ` from ${from}`;
      recorder.record(d, {
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} to ${to}${since}`,
        source: SOURCE
      });
      return updated;
    };
    const oldActive = old.filter((rs) => specReplicas(rs) > 0);
    if (!newRS && !d.spec.paused) {
      newRS = createReplicaSet(store, d, Math.max(0, ...all.map(revision)) + 1);
      created = newRS.metadata.uid;
    }
    if (newRS) {
      // After a rollback to an older template, that ReplicaSet becomes the newest revision again.
      const annotations = newReplicaSetAnnotations(d, newRS.metadata.annotations ?? {}, Math.max(0, ...old.map(revision)));
      if (!deepEqual(annotations, newRS.metadata.annotations ?? {}))
        newRS = store.update(RS, { ...newRS, metadata: { ...newRS.metadata, annotations } }) as ReplicaSet;
    }
    if (newRS && !d.spec.paused) {
      newRS = rollout(d, newRS, oldActive, desired, store, scale);
    } else if (newRS && oldActive.length === 0) {
      newRS = scale(newRS, desired);
    }
    cleanupHistory(store, d, old);
    writeDeploymentStatus(
      store,
      d,
      newRS,
      store.list(RS, d.metadata.namespace).filter((rs) => ownedBy(rs, d)) as ReplicaSet[],
      desired,
      now
    );
  }
}

function rollout(
  d: Deployment,
  newRS: ReplicaSet,
  oldActive: ReplicaSet[],
  desired: number,
  store: ObjectStore,
  scale: (rs: ReplicaSet, to: number) => ReplicaSet
): ReplicaSet {
  if (oldActive.length === 0) return scale(newRS, desired);
  if (d.spec.strategy?.type === 'Recreate') {
    for (const rs of oldActive) scale(rs, 0);
    const podsLeft = (store.list(PODS, d.metadata.namespace) as Pod[]).some((p) => oldActive.some((rs) => ownedBy(p, rs)));
    return podsLeft ? newRS : scale(newRS, desired);
  }
  const maxSurge = resolve(d.spec.strategy?.rollingUpdate?.maxSurge, desired, true, '25%');
  let maxUnavailable = resolve(d.spec.strategy?.rollingUpdate?.maxUnavailable, desired, false, '25%');
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  // Scale the new ReplicaSet up as far as the surge allows.
  const allRS = [newRS, ...oldActive];
  const total = allRS.reduce((n, rs) => n + specReplicas(rs), 0);
  let target = specReplicas(newRS);
  if (target < desired) target += Math.max(0, Math.min(desired + maxSurge - total, desired - target));
  if (target > desired) target = desired;
  newRS = scale(newRS, target);
  // Scale old ReplicaSets down as far as availability allows: unhealthy pods first, then available ones.
  const minAvailable = desired - maxUnavailable;
  const allPods = [newRS, ...oldActive].reduce((n, rs) => n + specReplicas(rs), 0);
  const newUnavailable = specReplicas(newRS) - statusNum(newRS, 'availableReplicas');
  let budget = allPods - minAvailable - newUnavailable;
  const oldest = [...oldActive].sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp));
  const current = new Map(oldest.map((rs) => [rs.metadata.uid, specReplicas(rs)]));
  for (const rs of oldest) {
    if (budget <= 0) break;
    const unhealthy = Math.max(0, specReplicas(rs) - statusNum(rs, 'availableReplicas'));
    const cut = Math.min(unhealthy, budget);
    if (cut > 0) current.set(rs.metadata.uid, specReplicas(rs) - cut);
    budget -= cut;
  }
  const available =
    statusNum(newRS, 'availableReplicas') +
    oldest.reduce((n, rs) => n + Math.min(statusNum(rs, 'availableReplicas'), current.get(rs.metadata.uid)!), 0);
  let canScaleDown = available - minAvailable;
  for (const rs of oldest) {
    if (canScaleDown <= 0) break;
    const cur = current.get(rs.metadata.uid)!;
    const cut = Math.min(cur, canScaleDown);
    current.set(rs.metadata.uid, cur - cut);
    canScaleDown -= cut;
  }
  for (const rs of oldest) scale(rs, current.get(rs.metadata.uid)!);
  return newRS;
}

/** A new ReplicaSet for the Deployment's template, with no pods yet (the rollout sizes it). */
function createReplicaSet(store: ObjectStore, d: Deployment, rev: number): ReplicaSet {
  const hash = podTemplateHash(d.spec.template);
  const template = normalized(d.spec.template);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      uid: '',
      resourceVersion: '',
      creationTimestamp: '',
      labels: { ...(template.metadata.labels ?? {}) },
      annotations: newReplicaSetAnnotations(d, {}, rev - 1),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: d.metadata.name,
          uid: d.metadata.uid,
          controller: true,
          blockOwnerDeletion: true
        }
      ]
    },
    spec: {
      replicas: 0,
      selector: { ...d.spec.selector, matchLabels: { ...(d.spec.selector.matchLabels ?? {}), [HASH_LABEL]: hash } },
      template
    }
  };
  return store.create(RS, rs) as ReplicaSet;
}

function cleanupHistory(store: ObjectStore, d: Deployment, old: ReplicaSet[]): void {
  const limit = d.spec.revisionHistoryLimit ?? 10;
  const idle = old
    .filter((rs) => specReplicas(rs) === 0 && statusNum(rs, 'replicas') === 0)
    .sort((a, b) => revision(a) - revision(b));
  for (const rs of idle.slice(0, Math.max(0, idle.length - limit)))
    store.remove(RS, rs.metadata.namespace, rs.metadata.name);
}
