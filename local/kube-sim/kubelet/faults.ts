import { type KubeObject, type Pod } from '../types.js';
import { type DependencyState } from './dependencies.js';

/*
 * Faults are injected per Deployment through one annotation, so any client can inject them:
 *   kubectl annotate deploy/<name> sim.cortex.dev/fault=<fault>[,<fault>…]   (and `sim.cortex.dev/fault-` to clear)
 * Several faults combine (`oom,not-ready`); each one starts when it appears in the list and ends when it leaves it,
 * so adding a fault to the list does not restart the ones already there. The tracker maps each pod to its Deployment
 * (pod → ReplicaSet → Deployment owner references) and remembers which pods existed when each fault was set, for the
 * faults that only affect those pods.
 */

export const FAULT_ANNOTATION = 'sim.cortex.dev/fault';

export const FAULTS = [
  'crashloop',
  'crashloop-transient',
  'oom',
  'image-pull',
  'not-ready',
  'endpoints-stale',
  'evicted',
  'network-block'
] as const;

export type Fault = (typeof FAULTS)[number];

export const isFault = (v: unknown): v is Fault => typeof v === 'string' && (FAULTS as readonly string[]).includes(v);

/**
 * The faults an annotation value names, in order and without repeats, and the values that name none.
 *
 * @example
 * parseFaults(' evicted, crashloop-transient ,meteor'); // → { faults: ['evicted', 'crashloop-transient'], unknown: ['meteor'] }
 */
export function parseFaults(raw: string | undefined): { faults: Fault[]; unknown: string[] } {
  const faults: Fault[] = [];
  const unknown: string[] = [];
  for (const part of (raw ?? '').split(',').map((p) => p.trim())) {
    if (!part) continue;
    if (!isFault(part)) unknown.push(part);
    else if (!faults.includes(part)) faults.push(part);
  }
  return { faults, unknown };
}

/** The faults a Deployment's annotation names. */
export const faultsOf = (d: KubeObject): Fault[] => parseFaults(d.metadata.annotations?.[FAULT_ANNOTATION]).faults;

/** Faults that only hit the pods that exist when the fault is set; replacements created later are healthy. */
const MARKING: readonly Fault[] = ['crashloop-transient', 'endpoints-stale', 'evicted'];

/** What the kubelet and the endpoints controller must do for one pod right now. */
export interface PodFault {
  crash?: 'error' | 'oom' | 'transient' | 'dependency';
  imagePull?: boolean;
  notReady?: boolean;
  /** Ready, but left out of the Service's endpoints. */
  staleEndpoints?: boolean;
  /** The Services the app connects to at start (`sim.cortex.dev/depends-on`); a `dependency` crash names the first
   * one that is unreachable. */
  dependencies?: DependencyState[];
  /** Lines the app writes at each start and each crash (`sim.cortex.dev/log-line`). */
  logLines?: string[];
}

export interface FaultChange {
  deployment: KubeObject;
  faults: Fault[];
  previous: Fault[];
  /** Faults that are in the list now and were not before. */
  added: Fault[];
  /** Live pods of the deployment when the change was seen (what the added MARKING faults hit). */
  pods: Pod[];
}

const controllerUid = (obj: KubeObject): string | undefined => obj.metadata.ownerReferences?.find((o) => o.controller)?.uid;

/** One fault's effect on one pod; `marked` says whether the pod existed when the fault was set. */
function effect(fault: Fault, marked: boolean): PodFault {
  switch (fault) {
    case 'crashloop':
      return { crash: 'error' };
    case 'crashloop-transient':
      return marked ? { crash: 'transient' } : {};
    case 'oom':
      return { crash: 'oom' };
    case 'image-pull':
      return { imagePull: true };
    case 'not-ready':
      return { notReady: true };
    case 'endpoints-stale':
      return marked ? { staleEndpoints: true } : {};
    default:
      return {};
  }
}

export class FaultTracker {
  private readonly current = new Map<string, Fault[]>();
  /** `<deployment uid>/<fault>` → uids of the pods that existed when that MARKING fault was set. */
  private readonly marked = new Map<string, Set<string>>();
  private podToDeployment = new Map<string, string>();
  /** Unknown annotation values, reported once per deployment and value. */
  private readonly warned = new Set<string>();

  /** The uid of the Deployment a pod belongs to, as of the last `observe`. */
  deploymentOf(podUid: string): string | undefined {
    return this.podToDeployment.get(podUid);
  }

  /**
   * Reads the annotations and the ownership chain; returns the deployments whose faults changed since the last call.
   * `onUnknown` is told about annotation values that name no fault.
   */
  observe(
    deployments: KubeObject[],
    replicaSets: KubeObject[],
    pods: Pod[],
    onUnknown?: (d: KubeObject, value: string) => void
  ): FaultChange[] {
    const rsToDeploy = new Map<string, string>();
    for (const rs of replicaSets) {
      const owner = controllerUid(rs);
      if (owner) rsToDeploy.set(rs.metadata.uid, owner);
    }
    this.podToDeployment = new Map();
    const podsByDeploy = new Map<string, Pod[]>();
    for (const pod of pods) {
      const rs = controllerUid(pod);
      const d = rs ? rsToDeploy.get(rs) : undefined;
      if (!d) continue;
      this.podToDeployment.set(pod.metadata.uid, d);
      const siblings = podsByDeploy.get(d);
      if (siblings) siblings.push(pod);
      else podsByDeploy.set(d, [pod]);
    }
    const changes: FaultChange[] = [];
    const seen = new Set<string>();
    for (const d of deployments) {
      const uid = d.metadata.uid;
      seen.add(uid);
      const { faults, unknown } = parseFaults(d.metadata.annotations?.[FAULT_ANNOTATION]);
      for (const value of unknown) {
        if (this.warned.has(`${uid}/${value}`)) continue;
        this.warned.add(`${uid}/${value}`);
        onUnknown?.(d, value);
      }
      const previous = this.current.get(uid) ?? [];
      const added = faults.filter((f) => !previous.includes(f));
      const removed = previous.filter((f) => !faults.includes(f));
      if (added.length === 0 && removed.length === 0) continue;
      if (faults.length) this.current.set(uid, faults);
      else this.current.delete(uid);
      const live = (podsByDeploy.get(uid) ?? []).filter(
        (p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded'
      );
      for (const f of removed) this.marked.delete(`${uid}/${f}`);
      for (const f of added.filter((x) => MARKING.includes(x)))
        this.marked.set(`${uid}/${f}`, new Set(live.map((p) => p.metadata.uid)));
      changes.push({ deployment: d, faults, previous, added, pods: live });
    }
    for (const uid of [...this.current.keys()]) if (!seen.has(uid)) this.current.delete(uid);
    for (const key of [...this.marked.keys()]) if (!seen.has(key.split('/')[0]!)) this.marked.delete(key);
    return changes;
  }

  /** The effect of the active faults on one pod (empty when the pod's workload has none); the first crash listed wins. */
  forPod(pod: KubeObject): PodFault {
    const d = this.podToDeployment.get(pod.metadata.uid);
    const faults = d ? (this.current.get(d) ?? []) : [];
    const out: PodFault = {};
    for (const f of faults) {
      const e = effect(f, this.marked.get(`${d}/${f}`)?.has(pod.metadata.uid) ?? false);
      if (e.crash && !out.crash) out.crash = e.crash;
      if (e.imagePull) out.imagePull = true;
      if (e.notReady) out.notReady = true;
      if (e.staleEndpoints) out.staleEndpoints = true;
    }
    return out;
  }
}
