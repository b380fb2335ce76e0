import { type ContainerState, k8sTime } from '../types.js';
import { type LogRun } from './logs.js';

/*
 * The vocabulary of the simulated container: time settings, the events it reports, a terminated run, and how
 * those print in a container status.
 */

export interface Timing {
  /** Pending/ContainerCreating → Running (0 = at once). */
  podStartMs: number;
  /** Base of the crash and image pull back-off (kubelet: 10 s), doubling up to 30 × base. */
  backoffBaseMs: number;
  /** How long a crashing container runs before it exits. */
  crashAfterMs: number;
  /** How long the Terminated state (Error/OOMKilled) shows before the back-off starts. */
  crashHoldMs: number;
  /** Graceful pod deletion: how long a pod shows Terminating before it is gone. */
  terminationMs: number;
  /** Readiness probe period: how often a not-ready container reports Unhealthy. */
  probePeriodMs: number;
}

export interface ContainerEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface Terminated {
  exitCode: number;
  reason: string;
  message?: string;
  startedAt: number;
  finishedAt: number;
  containerId: string;
  run: LogRun;
}

/** Go's time.Duration String for the back-off message: 400ms, 2.5s, 1m20s, 5m0s. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalS = ms / 1000;
  if (totalS < 60) return `${Number(totalS.toFixed(3))}s`;
  const m = Math.floor(totalS / 60);
  const s = Number((totalS - m * 60).toFixed(3));
  return m >= 60 ? `${Math.floor(m / 60)}h${m % 60}m${s}s` : `${m}m${s}s`;
}

export function terminatedState(t: Terminated): NonNullable<ContainerState['terminated']> {
  return {
    exitCode: t.exitCode,
    reason: t.reason,
    ...(t.message ? { message: t.message } : {}),
    startedAt: k8sTime(t.startedAt),
    finishedAt: k8sTime(t.finishedAt),
    containerID: t.containerId
  };
}
