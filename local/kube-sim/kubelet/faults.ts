import { type KubeObject, type Pod } from '../types.js';
import { type DependencyState } from './dependencies.js';

/*
 * Faults are injected per Deployment through one annotation, so any client can inject them:
 *   kubectl annotate deploy/<name> sim.cortex.dev/fault=<fault>      (and `sim.cortex.dev/fault-` to clear)
 * The tracker maps each pod to its Deployment (pod → ReplicaSet → Deployment owner references) and remembers which
 * pods existed when a fault was set, for the faults that only affect those pods.
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
  fault: Fault | undefined;
  previous: Fault | undefined;
  /** Pods of the deployment that existed when the fault was set (for MARKING faults). */
  pods: Pod[];
}

const controllerUid = (obj: KubeObject): string | undefined => obj.metadata.ownerReferences?.find((o) => o.controller)?.uid;

export class FaultTracker {
  private readonly current = new Map<string, Fault>();
  /** deployment uid → uids of the pods that existed when a MARKING fault was set. */
  private readonly marked = new Map<string, Set<string>>();
  private podToDeployment = new Map<string, string>();
  /** Unknown annotation values, reported once per deployment and value. */
  private readonly warned = new Set<string>();

  /** The uid of the Deployment a pod belongs to, as of the last `observe`. */
  deploymentOf(podUid: string): string | undefined {
    return this.podToDeployment.get(podUid);
  }

  /**
   * Reads the annotations and the ownership chain; returns the deployments whose fault changed since the last call.
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
      podsByDeploy.set(d, [...(podsByDeploy.get(d) ?? []), pod]);
    }
    const changes: FaultChange[] = [];
    const seen = new Set<string>();
    for (const d of deployments) {
      const uid = d.metadata.uid;
      seen.add(uid);
      const raw = d.metadata.annotations?.[FAULT_ANNOTATION]?.trim();
      const fault = isFault(raw) ? raw : undefined;
      if (raw && !fault && !this.warned.has(`${uid}/${raw}`)) {
        this.warned.add(`${uid}/${raw}`);
        onUnknown?.(d, raw);
      }
      const previous = this.current.get(uid);
      if (fault === previous) continue;
      if (fault) this.current.set(uid, fault);
      else this.current.delete(uid);
      const live = (podsByDeploy.get(uid) ?? []).filter(
        (p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded'
      );
      if (fault && MARKING.includes(fault)) this.marked.set(uid, new Set(live.map((p) => p.metadata.uid)));
      else this.marked.delete(uid);
      changes.push({ deployment: d, fault, previous, pods: live });
    }
    for (const uid of [...this.current.keys()]) if (!seen.has(uid)) this.current.delete(uid);
    for (const uid of [...this.marked.keys()]) if (!seen.has(uid)) this.marked.delete(uid);
    return changes;
  }

  faultOf(deploymentUid: string): Fault | undefined {
    return this.current.get(deploymentUid);
  }

  /** The effect of the active fault on one pod (empty when the pod's workload has no fault). */
  forPod(pod: KubeObject): PodFault {
    const d = this.podToDeployment.get(pod.metadata.uid);
    const fault = d ? this.current.get(d) : undefined;
    if (!d || !fault) return {};
    const marked = this.marked.get(d)?.has(pod.metadata.uid) ?? false;
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
}
