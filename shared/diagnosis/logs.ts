import type { KubePort } from '../kube/port.js';
import type { Workload } from '../kube/workload.js';
import { InvalidRequestError, NotFoundError } from '../runtime/errors.js';
import { hasFault, podState, type ContainerState, type PodState } from './pods.js';
import { cleanLines } from './text.js';

/*
 * Reading the logs of a workload's troubled pods, bounded: the current and the previous run of each container worth
 * reading. Log text is untrusted and may be huge; every line comes back cleaned (text.ts). check-pod-logs scans the
 * lines for error patterns, check-dependencies for the Services they name.
 */

/** Bounds on what is read. */
export const LOG_LIMITS = {
  tailLines: 200,
  limitBytes: 64 * 1024,
  maxLineChars: 1000,
  maxPods: 3,
  maxContainers: 3
} as const;

/** One container run's log, read and cleaned. */
export interface LogRun {
  pod: string;
  container: string;
  previous: boolean;
  lines: string[];
}

/** `pod/<pod> container <c> (previous run)`: how a run is named in evidence. */
export const runName = (r: Pick<LogRun, 'pod' | 'container' | 'previous'>): string =>
  `pod/${r.pod} container ${r.container}${r.previous ? ' (previous run)' : ''}`;

/** Reads one run's log; undefined when there is none (no such pod, no previous run, a container not started). */
export async function readRun(
  kube: KubePort,
  ns: string,
  pod: string,
  container: string,
  previous: boolean
): Promise<LogRun | undefined> {
  let text: string | undefined;
  try {
    text = await kube.readPodLog(ns, pod, {
      container,
      previous,
      tailLines: LOG_LIMITS.tailLines,
      limitBytes: LOG_LIMITS.limitBytes
    });
  } catch (err) {
    // A container that has not started yet (waiting to pull its image) has no log: the API answers 400.
    if (err instanceof InvalidRequestError || err instanceof NotFoundError) return undefined;
    throw err;
  }
  if (text === undefined) return undefined;
  // The server may ignore limitBytes; bound again before splitting.
  const lines = cleanLines(text, {
    maxChars: LOG_LIMITS.limitBytes,
    maxLines: LOG_LIMITS.tailLines,
    maxLineChars: LOG_LIMITS.maxLineChars
  });
  return { pod, container, previous, lines };
}

/** Containers worth reading: the troubled ones of a pod, else all of them (bounded). */
export function containersToRead(p: PodState): ContainerState[] {
  const troubled = p.containers.filter((c) => !c.ready || c.restartCount > 0);
  return (troubled.length > 0 ? troubled : p.containers).slice(0, LOG_LIMITS.maxContainers);
}

/** Unhealthy pods first (not ready, restarting, faulty); when all are fine, a couple of ready ones. */
export function podsToRead(pods: readonly PodState[]): { pods: PodState[]; unhealthy: boolean } {
  const active = pods.filter((p) => p.active);
  const unhealthy = active.filter((p) => !p.ready || p.restarts > 0 || hasFault(p));
  if (unhealthy.length > 0) return { pods: unhealthy.slice(0, LOG_LIMITS.maxPods), unhealthy: true };
  return { pods: active.slice(0, 2), unhealthy: false };
}

/**
 * Reads the current and (for containers that restarted) previous logs of the workload's pods worth reading.
 *
 * @example
 * const { chosen, runs } = await readWorkloadLogs(ctx.kube, await resolveWorkload(ctx.kube, target));
 */
export async function readWorkloadLogs(
  kube: KubePort,
  workload: Workload
): Promise<{ chosen: { pods: PodState[]; unhealthy: boolean }; runs: LogRun[] }> {
  const chosen = podsToRead(workload.pods.map(podState).sort((a, b) => a.name.localeCompare(b.name)));
  const reads = chosen.pods.flatMap((p) =>
    containersToRead(p).flatMap((c) => {
      const runs = [readRun(kube, workload.namespace, p.name, c.name, false)];
      if (c.restartCount > 0 || c.lastTerminated) runs.push(readRun(kube, workload.namespace, p.name, c.name, true));
      return runs;
    })
  );
  const runs = (await Promise.all(reads)).filter((r): r is LogRun => r !== undefined);
  return { chosen, runs };
}
