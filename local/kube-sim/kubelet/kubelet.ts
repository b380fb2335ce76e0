import { type Logger } from 'pino';
import { type EventRecorder } from '../events.js';
import { resourceForKind } from '../resources.js';
import { type ObjectStore } from '../store.js';
import { type Deployment, type Pod, type PodStatus, type Service, deepEqual } from '../types.js';
import { ContainerRuntime } from './container.js';
import { type ContainerEvent, type Timing } from './container-types.js';
import { type FaultTracker, type PodFault } from './faults.js';
import { appInfo } from './logs.js';
import { buildPodStatus, evictionMessage } from './pod-status.js';
import { WorkloadEffects, combineFaults } from './workload-effects.js';

/*
 * The simulated node: binds new pods to itself (standing in for the scheduler), runs their containers as state
 * machines, writes pod status, records the kubelet's events, and finishes graceful deletions. No process runs: a
 * container is its state and its log.
 */

const PODS = resourceForKind('Pod');
const DEPLOYMENTS = resourceForKind('Deployment');
const REPLICASETS = resourceForKind('ReplicaSet');
const SERVICES = resourceForKind('Service');
const ENDPOINTS = resourceForKind('Endpoints');

export const NODE_NAME = 'sim-node-1';
export const NODE_IP = '172.18.0.2';

interface PodRuntime {
  uid: string;
  scheduledAt: number;
  podIP: string;
  containers: ContainerRuntime[];
  ready: boolean;
  readyTransitionAt: number;
  terminatingSince?: number;
  evicted?: { at: number; message: string };
  /**
   * What the last sync saw, wrote and expects next: while the stored pod is still that object (stored objects are
   * immutable, so nobody changed it), its fault is the same and `due` has not come, a sync has nothing to do.
   */
  synced?: { pod: Pod; fault: PodFault; due: number | undefined };
}

export interface KubeletOptions {
  store: ObjectStore;
  recorder: EventRecorder;
  faults: FaultTracker;
  timing: Timing;
  log: Logger;
  now: () => number;
}

export class Kubelet {
  private readonly pods = new Map<string, PodRuntime>();
  private ipSeq = 0;
  private readonly effects = new WorkloadEffects();

  constructor(private readonly o: KubeletOptions) {}

  /** One pass over every pod; returns when the next transition is due (ms since epoch), if any. */
  sync(): number | undefined {
    const { store, faults, now: clock } = this.o;
    const now = clock();
    const pods = store.list(PODS) as Pod[];
    const deployments = store.list(DEPLOYMENTS) as Deployment[];
    this.effects.observe(deployments, store.list(SERVICES) as Service[], store.list(ENDPOINTS), (d, annotation, value) =>
      this.o.log.warn(
        { deployment: `${d.metadata.namespace}/${d.metadata.name}`, annotation, value },
        'annotation value ignored'
      )
    );
    const changes = faults.observe(deployments, store.list(REPLICASETS), pods, (d, value) =>
      this.o.log.warn(
        { deployment: `${d.metadata.namespace}/${d.metadata.name}`, value },
        'unknown fault annotation value ignored'
      )
    );
    for (const c of changes) {
      this.o.log.info(
        {
          deployment: `${c.deployment.metadata.namespace}/${c.deployment.metadata.name}`,
          fault: c.faults.join(',') || 'none',
          previous: c.previous.join(',') || 'none'
        },
        'fault changed'
      );
      if (c.added.includes('evicted')) for (const p of c.pods) this.evict(p, now);
    }
    let due: number | undefined;
    const seen = new Set<string>();
    for (const pod of pods) {
      seen.add(pod.metadata.uid);
      const effects = this.effects.forPod(pod, faults.deploymentOf(pod.metadata.uid));
      const next = this.syncPod(pod, combineFaults(faults.forPod(pod), effects), now);
      if (next !== undefined && (due === undefined || next < due)) due = next;
    }
    for (const uid of [...this.pods.keys()]) if (!seen.has(uid)) this.pods.delete(uid);
    return due;
  }

  /** The container runtime of a pod's container, for the log API. */
  container(podUid: string, name: string): ContainerRuntime | undefined {
    return this.pods.get(podUid)?.containers.find((c) => c.name === name);
  }

  private syncPod(pod: Pod, fault: PodFault, now: number): number | undefined {
    const { store, timing } = this.o;
    let rt = this.pods.get(pod.metadata.uid);
    const unbound = !pod.spec.nodeName;
    if (!rt) {
      if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') {
        // A finished pod from before (e.g. created with a final status): nothing to run.
        if (pod.metadata.deletionTimestamp) store.remove(PODS, pod.metadata.namespace, pod.metadata.name);
        return undefined;
      }
      [rt, pod] = this.admit(pod, now);
    }
    if (pod.metadata.deletionTimestamp) {
      if (rt.terminatingSince === undefined) {
        rt.terminatingSince = now;
        for (const c of rt.containers)
          if (c.stop(now))
            this.emit(pod, c.name, { type: 'Normal', reason: 'Killing', message: `Stopping container ${c.name}` });
      }
      const gone = rt.terminatingSince + timing.terminationMs;
      if (rt.evicted || now >= gone) {
        store.remove(PODS, pod.metadata.namespace, pod.metadata.name);
        this.pods.delete(pod.metadata.uid);
        return undefined;
      }
      return gone;
    }
    const last = rt.synced;
    if (last && last.pod === pod && (last.due === undefined || now < last.due) && deepEqual(last.fault, fault))
      return last.due;
    const podRef = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
    if (!rt.evicted) for (const c of rt.containers) c.advance(now, fault, (e) => this.emit(pod, c.name, e), podRef);
    const written = this.writeStatus(pod, rt, fault, now, unbound);
    let due: number | undefined;
    for (const c of rt.containers) {
      const d = rt.evicted ? undefined : c.nextDue();
      if (d !== undefined && (due === undefined || d < due)) due = d;
    }
    rt.synced = { pod: written, fault, due };
    return due;
  }

  /** A new pod on the node: bind it (Scheduled) and start creating its containers (Pulling). Returns the pod bound. */
  private admit(pod: Pod, now: number): [PodRuntime, Pod] {
    const n = this.ipSeq++;
    const rt: PodRuntime = {
      uid: pod.metadata.uid,
      scheduledAt: now,
      podIP: `10.244.${Math.floor(n / 250) % 250}.${(n % 250) + 4}`,
      containers: pod.spec.containers.map(
        (c) => new ContainerRuntime(c.name, c.image, appInfo(c.image, c.ports?.[0]?.containerPort), now, this.o.timing)
      ),
      ready: false,
      readyTransitionAt: now
    };
    this.pods.set(pod.metadata.uid, rt);
    if (!pod.spec.nodeName) {
      pod = { ...pod, spec: { ...pod.spec, nodeName: NODE_NAME } };
      this.o.recorder.record(pod, {
        type: 'Normal',
        reason: 'Scheduled',
        message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${NODE_NAME}`,
        source: { component: 'default-scheduler' }
      });
    }
    for (const c of rt.containers)
      this.emit(pod, c.name, { type: 'Normal', reason: 'Pulling', message: `Pulling image "${c.image}"` });
    return [rt, pod];
  }

  private evict(pod: Pod, now: number): void {
    const rt = this.pods.get(pod.metadata.uid);
    if (!rt || rt.evicted || pod.metadata.deletionTimestamp) return;
    const first = pod.spec.containers[0];
    const message = evictionMessage(first?.name ?? 'app', first?.resources?.requests?.['memory']);
    rt.evicted = { at: now, message };
    rt.synced = undefined;
    this.o.recorder.record(pod, {
      type: 'Warning',
      reason: 'Evicted',
      message,
      source: { component: 'kubelet', host: NODE_NAME }
    });
    for (const c of rt.containers) {
      if (c.running) this.emit(pod, c.name, { type: 'Normal', reason: 'Killing', message: `Stopping container ${c.name}` });
      c.evict(now, message);
    }
  }

  /** Writes the pod's status when it changed (or `force`); returns the pod as stored now. */
  private writeStatus(pod: Pod, rt: PodRuntime, fault: PodFault, now: number, force: boolean): Pod {
    const containers = rt.containers.map((c) =>
      c.status(pod.metadata.name, pod.metadata.namespace ?? '', pod.metadata.uid, fault)
    );
    const ready = !rt.evicted && containers.length > 0 && containers.every((c) => c.ready);
    if (ready !== rt.ready) {
      rt.ready = ready;
      rt.readyTransitionAt = now;
    }
    const status: PodStatus = buildPodStatus({
      containers,
      scheduledAt: rt.scheduledAt,
      readyTransitionAt: rt.readyTransitionAt,
      hostIP: NODE_IP,
      podIP: rt.podIP,
      qosClass: pod.status?.qosClass,
      evicted: rt.evicted,
      anyStarted: rt.containers.some((c) => c.started || c.restartCount > 0)
    });
    // Conditions the kubelet does not own (DisruptionTarget from the Eviction API) survive its status writes.
    const foreign = (pod.status?.conditions ?? []).filter((c) => !status.conditions?.some((k) => k.type === c.type));
    if (foreign.length) status.conditions = [...foreign, ...(status.conditions ?? [])];
    if (!force && deepEqual(status, pod.status)) return pod;
    return this.o.store.update(PODS, { ...pod, status: status as Pod['status'] }) as Pod;
  }

  private emit(pod: Pod, container: string, e: ContainerEvent): void {
    this.o.recorder.record(pod, {
      ...e,
      source: { component: 'kubelet', host: NODE_NAME },
      fieldPath: `spec.containers{${container}}`
    });
  }
}
