import { type ContainerStatus, type PodCondition, type PodStatus, k8sTime } from '../types.js';

/*
 * Builds `status:` of a pod from what the kubelet knows, in the shapes of reference kubernetes-api.md §9.
 */

export interface PodStatusInput {
  containers: ContainerStatus[];
  /** When the pod was bound to the node (PodScheduled, Initialized, startTime). */
  scheduledAt: number;
  /** When Ready last changed. */
  readyTransitionAt: number;
  hostIP: string;
  podIP: string;
  qosClass?: string;
  /** Set for an evicted pod. */
  evicted?: { at: number; message: string };
  /** Whether any container of the pod has started (Running phase) or none yet (Pending). */
  anyStarted: boolean;
}

const condition = (type: string, ok: boolean, at: number, reason?: string, message?: string): PodCondition => ({
  type,
  status: ok ? 'True' : 'False',
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
  lastProbeTime: null,
  lastTransitionTime: k8sTime(at)
});

export function buildPodStatus(input: PodStatusInput): PodStatus {
  const unready = input.containers.filter((c) => !c.ready).map((c) => c.name);
  const allReady = unready.length === 0 && input.containers.length > 0;
  const notReadyMessage = `containers with unready status: [${unready.join(' ')}]`;
  const base = {
    hostIP: input.hostIP,
    podIP: input.podIP,
    podIPs: [{ ip: input.podIP }],
    startTime: k8sTime(input.scheduledAt),
    containerStatuses: input.containers,
    ...(input.qosClass ? { qosClass: input.qosClass } : {})
  };
  if (input.evicted) {
    return {
      phase: 'Failed',
      reason: 'Evicted',
      message: input.evicted.message,
      conditions: [
        condition('DisruptionTarget', true, input.evicted.at, 'TerminationByKubelet', input.evicted.message),
        condition('Initialized', true, input.scheduledAt),
        condition('Ready', false, input.evicted.at, 'PodFailed'),
        condition('ContainersReady', false, input.evicted.at, 'PodFailed'),
        condition('PodScheduled', true, input.scheduledAt)
      ],
      ...base
    };
  }
  return {
    phase: input.anyStarted ? 'Running' : 'Pending',
    conditions: [
      condition('Initialized', true, input.scheduledAt),
      allReady
        ? condition('Ready', true, input.readyTransitionAt)
        : condition('Ready', false, input.readyTransitionAt, 'ContainersNotReady', notReadyMessage),
      allReady
        ? condition('ContainersReady', true, input.readyTransitionAt)
        : condition('ContainersReady', false, input.readyTransitionAt, 'ContainersNotReady', notReadyMessage),
      condition('PodScheduled', true, input.scheduledAt)
    ],
    ...base
  };
}

/** The eviction message kubelet writes (pkg/kubelet/eviction/helpers.go). */
export function evictionMessage(container: string, request: string | undefined): string {
  return `The node was low on resource: memory. Threshold quantity: 100Mi, available: 42Mi. Container ${container} was using 912Mi, request is ${request ?? '0'}, has larger consumption of memory. `;
}
