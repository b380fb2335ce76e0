import type { Pod } from '../kube/port.js';

/*
 * What a remediation must see in a pod's status right before it acts. Remediations re-read the cluster instead of
 * trusting the diagnosis: the state that justified a request may have changed while it travelled through the Broker.
 */

type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];

/** Restarts that make a container "repeatedly restarting" even between two CrashLoopBackOff waits. */
export const RESTART_THRESHOLD = 3;
/** A termination this recent counts as part of the current crash cycle. */
export const RECENT_CRASH_MS = 5 * 60_000;

/** Reasons kubelet gives a container that cannot get its image. */
export const IMAGE_PULL_REASONS: readonly string[] = [
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull'
];

const statuses = (pod: Pod): ContainerStatus[] => [
  ...(pod.status?.initContainerStatuses ?? []),
  ...(pod.status?.containerStatuses ?? [])
];

/**
 * The pod is already on its way out (deleted, waiting for its grace period): acting on it again changes nothing.
 *
 * @example
 * pods.filter((p) => !isTerminating(p));
 */
export const isTerminating = (pod: Pod): boolean =>
  pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null;

function crashingNow(c: ContainerStatus, now: Date): boolean {
  if (c.state?.waiting?.reason === 'CrashLoopBackOff') return true;
  const restarts = c.restartCount ?? 0;
  const failedBefore = (c.lastState?.terminated?.exitCode ?? 0) !== 0;
  // The rest of the cycle the check may have seen as CrashLoopBackOff a moment ago: just crashed again, or running
  // again after a failed run without being ready yet. A recommendation must not turn into a noop on the way here.
  if ((c.state?.terminated?.exitCode ?? 0) !== 0 && c.state?.terminated?.reason !== 'OOMKilled') return true;
  if (restarts > 0 && failedBefore && c.state?.running && !c.ready) return true;
  if (restarts < RESTART_THRESHOLD) return false;
  // Between two back-offs a crashing container runs briefly; a recent last termination says the cycle goes on.
  if (!c.state?.running || !c.ready) return true;
  const finished = c.lastState?.terminated?.finishedAt;
  return finished !== undefined && now.getTime() - new Date(finished).getTime() < RECENT_CRASH_MS;
}

/**
 * True when a container of the pod is in a crash cycle now: waiting in CrashLoopBackOff, just terminated with an
 * error, running again but not ready after a failed run, or restarted at least
 * RESTART_THRESHOLD times and either not running-and-ready or last terminated within RECENT_CRASH_MS. Broader than
 * check-pod-status's rule on purpose: whatever part of the cycle the check saw, the pod still counts here.
 *
 * @example
 * pods.filter((p) => isCrashLooping(p, ctx.clock.now()));
 */
export function isCrashLooping(pod: Pod, now: Date): boolean {
  if (isTerminating(pod) || pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') return false;
  return statuses(pod).some((c) => crashingNow(c, now));
}

/**
 * True for a pod in phase Failed (an evicted pod is one): its containers will not run again, it only holds an IP
 * reservation and clutters `kubectl get pods`.
 *
 * @example
 * pods.filter(isFailed).map((p) => p.metadata?.name);
 */
export function isFailed(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' && !isTerminating(pod);
}

/** A container that cannot pull its image right now. */
export interface ImagePullProblem {
  pod: string;
  container: string;
  image: string | undefined;
  reason: string;
  message: string | undefined;
}

/**
 * The containers of the pods that wait on an image pull error now.
 *
 * @example
 * imagePullProblems(pods); // → [{ pod: 'api-5c9-x', container: 'server', image: 'ghcr.io/x/api:9.9.9', reason: 'ImagePullBackOff', … }]
 */
export function imagePullProblems(pods: readonly Pod[]): ImagePullProblem[] {
  return pods.flatMap((pod) =>
    isTerminating(pod)
      ? []
      : statuses(pod)
          .filter((c) => IMAGE_PULL_REASONS.includes(c.state?.waiting?.reason ?? ''))
          .map((c) => ({
            pod: pod.metadata?.name ?? '?',
            container: c.name,
            image: c.image,
            reason: c.state!.waiting!.reason!,
            message: c.state?.waiting?.message
          }))
  );
}

/**
 * The names of the containers whose current or last termination was an OOM kill, with how many pods show it.
 *
 * @example
 * oomKilledContainers(pods); // → Map { 'server' => 2 }
 */
export function oomKilledContainers(pods: readonly Pod[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    for (const c of statuses(pod)) {
      if (c.state?.terminated?.reason === 'OOMKilled' || c.lastState?.terminated?.reason === 'OOMKilled')
        out.set(c.name, (out.get(c.name) ?? 0) + 1);
    }
  }
  return out;
}
