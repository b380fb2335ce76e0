import { createHash, randomBytes } from 'node:crypto';
import { type ContainerState, type ContainerStatus, k8sTime } from '../types.js';
import { type ContainerEvent, type Terminated, type Timing, goDuration, terminatedState } from './container-types.js';
import { type PodFault } from './faults.js';
import { type AppLog } from './log-types.js';
import { type AppInfo, LogRun, appLog } from './logs.js';

/*
 * One container's life as the kubelet drives it: ContainerCreating → Running, and under faults the kubelet's
 * crash loop (Running → Terminated(Error|OOMKilled) → CrashLoopBackOff with doubling back-off → Running, restartCount
 * growing) or the image pull loop (ErrImagePull ⇄ ImagePullBackOff). Time is compressed by `backoffBaseMs` (kubelet:
 * 10 s, doubling up to 5 min = 30 × base).
 */

type Stage =
  | { kind: 'creating'; until: number }
  | { kind: 'pull-error'; until: number }
  | { kind: 'pull-backoff'; until: number; delayMs: number }
  | { kind: 'running'; since: number; crashAt?: number }
  | { kind: 'crashed'; until: number }
  | { kind: 'backoff'; until: number; delayMs: number }
  | { kind: 'stopped' };

const newContainerId = (): string => `containerd://${randomBytes(32).toString('hex')}`;

export class ContainerRuntime {
  stage: Stage;
  restartCount = 0;
  /** Running now, or the run whose Terminated state is shown. */
  current: { run: LogRun; startedAt: number; containerId: string } | undefined;
  /** The crash shown in state.terminated while in the `crashed` stage, or the final state when stopped. */
  terminated: Terminated | undefined;
  /** `lastState.terminated`: the previous run (`kubectl logs --previous`). */
  lastTerm: Terminated | undefined;
  private crashes = 0;
  private pullFailures = 0;
  /** Started in its current incarnation (false again after the image was lost). */
  private hasRun = false;
  private ranBefore = false;
  private nextProbeAt: number | undefined;
  readonly imageID: string;

  constructor(
    readonly name: string,
    readonly image: string,
    private readonly app: AppInfo,
    createdAt: number,
    private readonly timing: Timing
  ) {
    this.stage = { kind: 'creating', until: createdAt + timing.podStartMs };
    const repo = image.split('@')[0]!.replace(/:[^/:]+$/, '');
    this.imageID = `${repo}@sha256:${createHash('sha256').update(image).digest('hex')}`;
  }

  private get log(): AppLog {
    return appLog(this.app);
  }

  private backoff(n: number): number {
    return Math.min(this.timing.backoffBaseMs * 2 ** Math.max(0, n), this.timing.backoffBaseMs * 30);
  }

  get running(): boolean {
    return this.stage.kind === 'running';
  }

  ready(fault: PodFault): boolean {
    // A container that is about to crash never passes its readiness probe.
    return this.stage.kind === 'running' && !fault.notReady && !fault.crash;
  }

  /** Whether this container has started in this pod (a pod with a started container is Running). */
  get started(): boolean {
    return this.hasRun && this.stage.kind !== 'pull-error' && this.stage.kind !== 'pull-backoff';
  }

  /** Applies every transition due up to `now`; container events go to `emit`. */
  advance(now: number, fault: PodFault, emit: (e: ContainerEvent) => void, podRef = ''): void {
    for (let guard = 0; guard < 1000; guard++) {
      const s = this.stage;
      switch (s.kind) {
        case 'creating':
          if (now < s.until) return;
          if (fault.imagePull) this.failPull(s.until, emit);
          else this.start(s.until, 'pulled', emit, fault);
          continue;
        case 'pull-error': {
          if (now < s.until) return;
          const delayMs = this.backoff(this.pullFailures - 1);
          this.stage = { kind: 'pull-backoff', until: s.until + delayMs, delayMs };
          emit({ type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${this.image}"` });
          emit({ type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff' });
          continue;
        }
        case 'pull-backoff':
          if (now < s.until) return;
          emit({ type: 'Normal', reason: 'Pulling', message: `Pulling image "${this.image}"` });
          if (fault.imagePull) this.failPull(s.until, emit);
          else this.start(s.until, 'pulled', emit, fault);
          continue;
        case 'running':
          if (fault.imagePull) {
            // The node lost the image: the container is re-created and its image pull fails from now on.
            this.current?.run.end(now, this.log.shutdown(now));
            this.current = undefined;
            this.hasRun = false;
            emit({ type: 'Normal', reason: 'Killing', message: `Stopping container ${this.name}` });
            emit({ type: 'Normal', reason: 'Pulling', message: `Pulling image "${this.image}"` });
            this.failPull(now, emit);
            continue;
          }
          if (!fault.crash) {
            s.crashAt = undefined;
            this.probe(now, fault, emit);
            return;
          }
          // An app that needs a Service retries until it gives up; a Service that comes back meanwhile is found. A
          // dependency seen down in this pass is never the cause of a crash in the same pass: its Endpoints may not
          // yet show a pod that became ready in it.
          s.crashAt ??= Math.max(s.since + this.timing.crashAfterMs, fault.crash === 'dependency' ? now + 1 : now);
          if (now < s.crashAt) return;
          this.crash(s.crashAt, fault.crash, fault);
          continue;
        case 'crashed':
          if (now < s.until) return;
          this.lastTerm = this.terminated;
          this.terminated = undefined;
          this.current = undefined;
          if (this.crashes <= 1) {
            this.start(s.until, 'present', emit, fault);
          } else {
            const delayMs = this.backoff(this.crashes - 2);
            this.stage = { kind: 'backoff', until: s.until + delayMs, delayMs };
            emit({
              type: 'Warning',
              reason: 'BackOff',
              message: `Back-off restarting failed container ${this.name} in pod ${podRef}`
            });
          }
          continue;
        case 'backoff':
          if (now < s.until) return;
          this.start(s.until, 'present', emit, fault);
          continue;
        case 'stopped':
          return;
      }
    }
  }

  /** The next time `advance` has something to do. */
  nextDue(): number | undefined {
    const s = this.stage;
    if (s.kind === 'running') return s.crashAt ?? this.nextProbeAt;
    if (s.kind === 'stopped') return undefined;
    return s.until;
  }

  private probe(now: number, fault: PodFault, emit: (e: ContainerEvent) => void): void {
    if (!fault.notReady) {
      this.nextProbeAt = undefined;
      if (this.current) this.current.run.serving = true;
      return;
    }
    if (this.current) this.current.run.serving = false;
    this.nextProbeAt ??= now;
    if (now < this.nextProbeAt) return;
    emit({
      type: 'Warning',
      reason: 'Unhealthy',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 503'
    });
    this.current?.run.push(now, this.log.notReady(now));
    this.nextProbeAt = now + this.timing.probePeriodMs;
  }

  private failPull(t: number, emit: (e: ContainerEvent) => void): void {
    this.pullFailures++;
    this.stage = { kind: 'pull-error', until: t + Math.min(this.timing.crashHoldMs, this.timing.backoffBaseMs) };
    emit({ type: 'Warning', reason: 'Failed', message: `Failed to pull image "${this.image}": ${this.pullError()}` });
    emit({ type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' });
  }

  pullError(): string {
    return `rpc error: code = NotFound desc = failed to pull and unpack image "${this.image}": failed to resolve reference "${this.image}": ${this.image}: not found`;
  }

  private start(t: number, how: 'pulled' | 'present', emit: (e: ContainerEvent) => void, fault: PodFault): void {
    if (how === 'pulled')
      emit({
        type: 'Normal',
        reason: 'Pulled',
        message: `Successfully pulled image "${this.image}" in 1.204s (1.204s including waiting)`
      });
    else emit({ type: 'Normal', reason: 'Pulled', message: `Container image "${this.image}" already present on machine` });
    emit({ type: 'Normal', reason: 'Created', message: `Created container ${this.name}` });
    emit({ type: 'Normal', reason: 'Started', message: `Started container ${this.name}` });
    if (this.ranBefore) this.restartCount++;
    this.hasRun = true;
    this.ranBefore = true;
    this.pullFailures = 0;
    const run = new LogRun(t, this.app);
    run.push(t, [...this.log.startup(this.app, t, fault.dependencies ?? []), ...(fault.logLines ?? [])]);
    this.current = { run, startedAt: t, containerId: newContainerId() };
    this.stage = { kind: 'running', since: t };
    this.nextProbeAt = undefined;
  }

  private crash(t: number, kind: NonNullable<PodFault['crash']>, fault: PodFault): void {
    const cur = this.current!;
    const dependency = fault.dependencies?.find((d) => d.error);
    cur.run.end(t, [...(fault.logLines ?? []), ...this.log.crash(kind, this.app, t, dependency)]);
    // A container that ran for twice the longest back-off before this crash starts its back-off over.
    if (t - cur.startedAt >= this.timing.backoffBaseMs * 60) this.crashes = 0;
    this.crashes++;
    this.terminated = {
      exitCode: kind === 'oom' ? 137 : 1,
      reason: kind === 'oom' ? 'OOMKilled' : 'Error',
      startedAt: cur.startedAt,
      finishedAt: t,
      containerId: cur.containerId,
      run: cur.run
    };
    this.stage = { kind: 'crashed', until: t + this.timing.crashHoldMs };
  }

  /** Pod eviction: the container is killed with SIGKILL and never restarts. */
  evict(t: number, message: string): void {
    const cur = this.current;
    cur?.run.end(t, []);
    this.terminated = {
      exitCode: 137,
      reason: 'Evicted',
      message,
      startedAt: cur?.startedAt ?? t,
      finishedAt: t,
      containerId: cur?.containerId ?? newContainerId(),
      run: cur?.run ?? new LogRun(t, this.app)
    };
    this.stage = { kind: 'stopped' };
  }

  /** Graceful stop of a deleted pod. */
  stop(t: number): boolean {
    if (this.stage.kind !== 'running') return false;
    this.current?.run.end(t, this.log.shutdown(t));
    return true;
  }

  /** The log the API serves: current (running or terminated run, else the last terminated) or previous. */
  logRun(previous: boolean): LogRun | undefined {
    if (previous) return this.lastTerm?.run;
    if (this.current) return this.current.run;
    if (this.terminated) return this.terminated.run;
    return this.lastTerm?.run;
  }

  status(podName: string, namespace: string, podUid: string, fault: PodFault): ContainerStatus {
    const s = this.stage;
    let state: ContainerState;
    switch (s.kind) {
      case 'creating':
        state = { waiting: { reason: 'ContainerCreating' } };
        break;
      case 'pull-error':
        state = { waiting: { reason: 'ErrImagePull', message: this.pullError() } };
        break;
      case 'pull-backoff':
        state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${this.image}"` } };
        break;
      case 'running':
        state = { running: { startedAt: k8sTime(this.current!.startedAt) } };
        break;
      case 'backoff':
        state = {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off ${goDuration(s.delayMs)} restarting failed container=${this.name} pod=${podName}_${namespace}(${podUid})`
          }
        };
        break;
      case 'crashed':
      case 'stopped':
        state = { terminated: terminatedState(this.terminated!) };
        break;
    }
    const containerID = this.current?.containerId ?? this.terminated?.containerId ?? this.lastTerm?.containerId;
    return {
      name: this.name,
      state,
      lastState: this.lastTerm ? { terminated: terminatedState(this.lastTerm) } : {},
      ready: this.ready(fault),
      restartCount: this.restartCount,
      image: this.image,
      imageID: this.hasRun ? this.imageID : '',
      ...(containerID ? { containerID } : {}),
      started: s.kind === 'running'
    };
  }
}
