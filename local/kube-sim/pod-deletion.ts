import { resourceForKind } from './resources.js';
import { type ObjectStore, type WriteOptions } from './store.js';
import { type Pod, k8sTime } from './types.js';

const PODS = resourceForKind('Pod');

/**
 * Deletes a pod the way the API server does: with a grace period the pod is only marked (deletionTimestamp, the
 * pod shows Terminating) and the kubelet removes it once its containers stopped; with grace 0, or for a pod that
 * never ran on a node or already finished, it is removed at once. Returns the pod as the DELETE answer shows it.
 */
export function deletePod(
  store: ObjectStore,
  pod: Pod,
  graceSeconds: number | undefined,
  now: number,
  opts: WriteOptions = {}
): Pod {
  if (pod.metadata.deletionTimestamp) return pod;
  const grace = graceSeconds ?? (pod.spec['terminationGracePeriodSeconds'] as number | undefined) ?? 30;
  const finished = pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
  if (grace <= 0 || finished || !pod.spec.nodeName)
    return store.remove(PODS, pod.metadata.namespace, pod.metadata.name, opts) as Pod;
  const marked: Pod = {
    ...pod,
    metadata: { ...pod.metadata, deletionTimestamp: k8sTime(now + grace * 1000), deletionGracePeriodSeconds: grace }
  };
  return store.update(PODS, marked, opts) as Pod;
}
