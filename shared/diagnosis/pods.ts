import type { Pod } from '../kube/port.js';
import { cleanLine, plural } from './text.js';

/*
 * Pod state as the checks reason about it, read from `status` the way kubectl's STATUS column does
 * (kubernetes pkg/printers/internalversion/printers.go, printPod). Pure: no I/O.
 */

/** What one container is doing and what ended its last run. */
export interface ContainerState {
  name: string;
  image: string | undefined;
  ready: boolean;
  restartCount: number;
  waiting: { reason: string; message: string } | undefined;
  terminated: { reason: string; exitCode: number | undefined; message: string } | undefined;
  lastTerminated: { reason: string; exitCode: number | undefined } | undefined;
}

export interface PodState {
  name: string;
  phase: string;
  /** The STATUS column: `status.reason`, else the last container's waiting/terminated reason, else the phase. */
  status: string;
  ready: boolean;
  restarts: number;
  /** Not being deleted and not finished: a pod that counts toward the workload's capacity. */
  active: boolean;
  /** phase Failed, or evicted by the kubelet. */
  failed: boolean;
  message: string | undefined;
  podIP: string | undefined;
  containers: ContainerState[];
}

/** Waiting reasons that are just a container starting, not a fault. */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);

/** Waiting reasons of an image that cannot be pulled. */
export const IMAGE_PULL_REASONS: ReadonlySet<string> = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull'
]);

function containerState(s: NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number]): ContainerState {
  const w = s.state?.waiting;
  const t = s.state?.terminated;
  const last = s.lastState?.terminated;
  return {
    name: s.name,
    image: s.image,
    ready: s.ready === true,
    restartCount: s.restartCount ?? 0,
    waiting: w ? { reason: w.reason ?? 'Waiting', message: cleanLine(w.message ?? '') } : undefined,
    terminated: t
      ? {
          reason: t.reason ?? (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`),
          exitCode: t.exitCode,
          message: cleanLine(t.message ?? '')
        }
      : undefined,
    lastTerminated: last ? { reason: last.reason ?? `ExitCode:${last.exitCode}`, exitCode: last.exitCode } : undefined
  };
}

/**
 * Reads one pod's state.
 *
 * @example
 * podState(crashingPod).status; // → 'CrashLoopBackOff'
 */
export function podState(pod: Pod): PodState {
  const st = pod.status ?? {};
  const containers = (st.containerStatuses ?? []).map(containerState);
  const phase = st.phase ?? 'Unknown';
  let status = st.reason ?? phase;
  for (const c of [...containers].reverse()) {
    const r = c.waiting?.reason ?? c.terminated?.reason;
    if (r) {
      status = st.reason ?? r;
      break;
    }
  }
  const unschedulable = st.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable'
  );
  if (unschedulable && !st.reason) status = 'Unschedulable';
  const terminating = pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null;
  if (terminating) status = 'Terminating';
  const failed = phase === 'Failed' || st.reason === 'Evicted';
  return {
    name: pod.metadata?.name ?? '?',
    phase,
    status,
    ready: st.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    restarts: containers.reduce((n, c) => n + c.restartCount, 0),
    active: !terminating && !failed && phase !== 'Succeeded',
    failed,
    message: st.message ? cleanLine(st.message) : unschedulable?.message ? cleanLine(unschedulable.message) : undefined,
    podIP: st.podIP ?? undefined,
    containers
  };
}

/** True when the container's current or last run was ended by the kernel's OOM killer. */
export function isOomKilled(c: ContainerState): boolean {
  return c.terminated?.reason === 'OOMKilled' || c.lastTerminated?.reason === 'OOMKilled';
}

/** Running again after a failed run, but not ready: a crash loop caught between two crashes. */
function restartingAfterFailure(c: ContainerState): boolean {
  return (
    !c.ready &&
    !c.waiting &&
    !c.terminated &&
    c.restartCount > 0 &&
    c.lastTerminated !== undefined &&
    c.lastTerminated.exitCode !== 0
  );
}

/**
 * Whether an active pod shows a fault (crash loop, image pull, config error, OOM, unschedulable, a failed run),
 * as opposed to being ready or merely starting.
 *
 * @example
 * hasFault(podState(crashingPod)); // → true
 */
export function hasFault(p: PodState): boolean {
  if (p.status === 'Unschedulable') return true;
  return p.containers.some(
    (c) =>
      (c.waiting && !STARTING.has(c.waiting.reason)) ||
      (c.terminated && c.terminated.exitCode !== 0) ||
      isOomKilled(c) ||
      restartingAfterFailure(c)
  );
}

/** Restarts after which a container running again, not ready, counts as crash-looping between two back-offs. The
 * same threshold remediate-restart-pods applies when it re-reads the pods, so a recommendation is not a noop there. */
export const CRASH_LOOP_RESTARTS = 3;

/**
 * Whether a pod is crash-looping: waiting in CrashLoopBackOff, or running again, not ready, after a failed run and
 * at least {@link CRASH_LOOP_RESTARTS} restarts (a crash loop spends part of its time Running).
 *
 * @example
 * isCrashLooping(podState(crashingPod)); // → true
 */
export function isCrashLooping(p: PodState): boolean {
  return p.containers.some(
    (c) => c.waiting?.reason === 'CrashLoopBackOff' || (restartingAfterFailure(c) && c.restartCount >= CRASH_LOOP_RESTARTS)
  );
}

/**
 * Whether a pod is crashing: crash-looping, or caught at a crash before the loop shows (its container just exited
 * with an error, or runs again unready after a failed run). A report often arrives at the first crash: the chat's
 * call fails as soon as the pod stops being ready. Restarting such a pod is what heals a transient crash loop, and
 * costs nothing when the kubelet's own restart would have been enough (verification then finds it healthy).
 *
 * @example
 * isCrashing(podState(justCrashedPod)); // → true
 */
export function isCrashing(p: PodState): boolean {
  if (!p.active) return false;
  return (
    isCrashLooping(p) ||
    p.containers.some(
      (c) => restartingAfterFailure(c) || (c.terminated !== undefined && c.terminated.exitCode !== 0 && !isOomKilled(c))
    )
  );
}

/**
 * What is wrong with a pod, for a summary: its STATUS, or "restarting after <reason>" for a container running
 * again after a failed run, with "after OOMKilled" when the OOM killer ended the last run.
 *
 * @example
 * faultLabel(podState(oomLoopingPod)); // → 'CrashLoopBackOff after OOMKilled'
 */
export function faultLabel(p: PodState): string {
  const restarting = p.containers.find(restartingAfterFailure);
  if (p.status === p.phase && restarting) return `restarting after ${restarting.lastTerminated!.reason}`;
  const oom = p.status !== 'OOMKilled' && p.containers.some((c) => c.lastTerminated?.reason === 'OOMKilled');
  return oom ? `${p.status} after OOMKilled` : p.status;
}

/**
 * One line describing a pod for evidence: phase, status, readiness, restarts and each container's trouble.
 *
 * @example
 * describePod(podState(crashingPod));
 * // → 'Running, CrashLoopBackOff, not ready, 5 restarts; app: waiting CrashLoopBackOff (back-off 2m40s …), last run Error exit 1'
 */
export function describePod(p: PodState): string {
  const parts = [
    `${p.phase}${p.status !== p.phase ? `, ${p.status}` : ''}, ${p.ready ? 'ready' : 'not ready'}, ${plural(p.restarts, 'restart')}`
  ];
  for (const c of p.containers) {
    const bits: string[] = [];
    if (c.waiting) bits.push(`waiting ${c.waiting.reason}${c.waiting.message ? ` (${c.waiting.message})` : ''}`);
    if (c.terminated) bits.push(`terminated ${c.terminated.reason} exit ${c.terminated.exitCode ?? '?'}`);
    if (c.lastTerminated) bits.push(`last run ${c.lastTerminated.reason} exit ${c.lastTerminated.exitCode ?? '?'}`);
    if (bits.length > 0) parts.push(`${c.name}: ${bits.join(', ')}`);
  }
  if (p.message) parts.push(p.message);
  return parts.join('; ');
}

/**
 * Counts pods by STATUS (or another label), most frequent first: `2 CrashLoopBackOff, 1 Running`.
 *
 * @example
 * countByStatus([podState(a), podState(b)]); // → '2 CrashLoopBackOff'
 */
export function countByStatus(pods: readonly PodState[], label: (p: PodState) => string = (p) => p.status): string {
  const counts = new Map<string, number>();
  for (const p of pods) counts.set(label(p), (counts.get(label(p)) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}
