import { applyDefaults } from '../admission.js';
import { type EventRecorder } from '../events.js';
import { deletePod } from '../pod-deletion.js';
import { resourceForKind } from '../resources.js';
import { type ObjectStore } from '../store.js';
import { type KubeObject, type Pod, type ReplicaSet, clone, deepEqual } from '../types.js';

/*
 * The ReplicaSet controller: keeps `spec.replicas` active pods (not terminating, not Failed/Succeeded) per
 * ReplicaSet, deleting the least useful ones first when scaling down, and reports counts in status.
 */

const PODS = resourceForKind('Pod');
const RS = resourceForKind('ReplicaSet');
const SOURCE = { component: 'replicaset-controller' };

export const isActive = (p: Pod): boolean =>
  !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded';

export const isReady = (p: Pod): boolean =>
  (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export const ownedBy = (obj: KubeObject, owner: KubeObject): boolean =>
  (obj.metadata.ownerReferences ?? []).some((o) => o.uid === owner.metadata.uid && o.controller);

/** Deletion order (kubernetes controller.ActivePods): unscheduled, pending, not ready, more restarts, newest first. */
function deletionRank(p: Pod): number[] {
  const restarts = (p.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0);
  return [
    p.spec.nodeName ? 1 : 0,
    p.status?.phase === 'Pending' ? 0 : 1,
    isReady(p) ? 1 : 0,
    -restarts,
    -Date.parse(p.metadata.creationTimestamp)
  ];
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** Pods by the uid of their controller (one pass over the pods instead of one per ReplicaSet). */
function podsByController(pods: readonly Pod[]): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const p of pods) {
    for (const ref of p.metadata.ownerReferences ?? []) {
      if (!ref.controller) continue;
      const siblings = out.get(ref.uid);
      if (!siblings) out.set(ref.uid, [p]);
      else if (siblings.at(-1) !== p) siblings.push(p);
    }
  }
  return out;
}

export function syncReplicaSets(store: ObjectStore, recorder: EventRecorder, now: number): void {
  const byController = podsByController(store.list(PODS) as Pod[]);
  for (const rs of store.list(RS) as ReplicaSet[]) {
    if (rs.metadata.deletionTimestamp) continue;
    const owned = (byController.get(rs.metadata.uid) ?? []).filter((p) => p.metadata.namespace === rs.metadata.namespace);
    const active = owned.filter(isActive);
    const desired = rs.spec.replicas ?? 1;
    if (active.length < desired) {
      for (let i = active.length; i < desired; i++) {
        const pod = createPod(store, rs);
        active.push(pod);
        recorder.record(rs, {
          type: 'Normal',
          reason: 'SuccessfulCreate',
          message: `Created pod: ${pod.metadata.name}`,
          source: SOURCE
        });
      }
    } else if (active.length > desired) {
      const victims = [...active]
        .sort((a, b) => compareRank(deletionRank(a), deletionRank(b)))
        .slice(0, active.length - desired);
      for (const v of victims) {
        deletePod(store, v, undefined, now);
        active.splice(active.indexOf(v), 1);
        recorder.record(rs, {
          type: 'Normal',
          reason: 'SuccessfulDelete',
          message: `Deleted pod: ${v.metadata.name}`,
          source: SOURCE
        });
      }
    }
    const ready = active.filter(isReady).length;
    const status = {
      replicas: active.length,
      fullyLabeledReplicas: active.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1
    };
    if (!deepEqual(status, rs.status)) store.update(RS, { ...rs, status });
  }
}

function createPod(store: ObjectStore, rs: ReplicaSet): Pod {
  const tpl = clone(rs.spec.template);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: '',
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      uid: '',
      resourceVersion: '',
      creationTimestamp: '',
      labels: { ...(tpl.metadata?.labels ?? {}) },
      ...(tpl.metadata?.annotations ? { annotations: { ...tpl.metadata.annotations } } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata.name,
          uid: rs.metadata.uid,
          controller: true,
          blockOwnerDeletion: true
        }
      ]
    },
    spec: tpl.spec
  };
  applyDefaults(PODS, pod, store, true);
  return store.create(PODS, pod) as Pod;
}
