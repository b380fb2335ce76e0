import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createObject } from '../../../../local/kube-sim/api/write.js';
import { ControlLoop } from '../../../../local/kube-sim/controllers/loop.js';
import { EventRecorder } from '../../../../local/kube-sim/events.js';
import { FAULT_ANNOTATION, FaultTracker } from '../../../../local/kube-sim/kubelet/faults.js';
import { Kubelet } from '../../../../local/kube-sim/kubelet/kubelet.js';
import { resourceForKind } from '../../../../local/kube-sim/resources.js';
import { workload } from '../../../../local/kube-sim/seed.js';
import { ObjectStore } from '../../../../local/kube-sim/store.js';
import { type KubeObject, type Pod } from '../../../../local/kube-sim/types.js';

/*
 * The control loop over a small in-process cluster with a hand-driven clock: a pass over a settled cluster writes
 * nothing, yet whatever changes (an object, a fault, the time) is acted on by the next pass.
 */

const PODS = resourceForKind('Pod');
const DEPLOY = resourceForKind('Deployment');
const ENDPOINTS = resourceForKind('Endpoints');
const T0 = Date.parse('2026-01-01T00:00:00Z');

const loops: ControlLoop[] = [];
afterEach(() => {
  for (const l of loops.splice(0)) l.stop();
});

function cluster(podStartMs = 0) {
  let now = T0;
  const clock = () => now;
  const log = pino({ level: 'silent' });
  const store = new ObjectStore({ now: clock });
  const recorder = new EventRecorder(store, clock);
  const faults = new FaultTracker();
  const timing = {
    podStartMs,
    backoffBaseMs: 1000,
    crashAfterMs: 200,
    crashHoldMs: 50,
    terminationMs: 100,
    probePeriodMs: 1000
  };
  const kubelet = new Kubelet({ store, recorder, faults, timing, log, now: clock });
  const loop = new ControlLoop({ store, recorder, kubelet, faults, log, now: clock });
  loops.push(loop);
  createObject(store, resourceForKind('Namespace'), { metadata: { name: 'demo' } }, undefined);
  const { deployment, service } = workload({
    name: 'w',
    namespace: 'demo',
    image: 'ghcr.io/x/w:1.0',
    port: 3000,
    replicas: 2,
    selfHeal: true
  });
  createObject(store, DEPLOY, deployment, 'demo');
  createObject(store, resourceForKind('Service'), service, 'demo');
  loop.run();
  const pods = () => store.list(PODS, 'demo') as Pod[];
  const ready = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const addresses = () => {
    const subsets = (store.get(ENDPOINTS, 'demo', 'w')?.['subsets'] ?? []) as {
      addresses?: unknown[];
      notReadyAddresses?: unknown[];
    }[];
    return [subsets[0]?.addresses?.length ?? 0, subsets[0]?.notReadyAddresses?.length ?? 0];
  };
  return { store, loop, pods, ready, addresses, advance: (ms: number) => (now += ms) };
}

describe('Kube simulator: control loop passes', () => {
  it('a pass over a settled cluster writes nothing', () => {
    // Prepare
    const { store, loop, pods, ready, addresses } = cluster();
    const before = store.currentRv();
    const objects = pods();

    // Act
    loop.run();

    // Assess
    expect(objects.map(ready)).toEqual([true, true]);
    expect(addresses()).toEqual([2, 0]);
    expect(store.currentRv()).toBe(before);
    expect(pods()).toEqual(objects);
    expect(pods()[0]).toBe(objects[0]);
  });

  it('a fault set on the Deployment reaches its pods and their Endpoints on the next pass', () => {
    // Prepare
    const { store, loop, pods, ready, addresses } = cluster();
    const d = store.get(DEPLOY, 'demo', 'w')!;

    // Act
    store.update(DEPLOY, { ...d, metadata: { ...d.metadata, annotations: { [FAULT_ANNOTATION]: 'not-ready' } } });
    loop.run();

    // Assess
    expect(pods().map(ready)).toEqual([false, false]);
    expect(addresses()).toEqual([0, 2]);
  });

  it('a pod status changed behind the kubelet is put right on the next pass', () => {
    // Prepare
    const { store, loop, pods, ready } = cluster();
    const p = pods()[0]!;
    const before = p.status;

    // Act
    store.update(PODS, { ...p, status: { ...p.status!, phase: 'Unknown', conditions: [] } });
    loop.run();

    // Assess
    expect(store.get(PODS, 'demo', p.metadata.name)!.status).toEqual(before);
    expect(pods().map(ready)).toEqual([true, true]);
  });

  it('Endpoints deleted behind the endpoints controller come back on the next pass', () => {
    // Prepare
    const { store, loop, addresses } = cluster();

    // Act
    store.remove(ENDPOINTS, 'demo', 'w');
    const gone = addresses();
    loop.run();

    // Assess
    expect(gone).toEqual([0, 0]);
    expect(addresses()).toEqual([2, 0]);
  });

  it('a transition that falls due is made by the first pass after its time, not before', () => {
    // Prepare
    const { loop, pods, ready, addresses, advance } = cluster(1000);
    const waiting = (p: Pod) => p.status?.containerStatuses?.[0]?.state.waiting?.reason;

    // Act
    advance(999);
    loop.run();
    const early = pods().map(waiting);
    advance(1);
    loop.run();

    // Assess
    expect(early).toEqual(['ContainerCreating', 'ContainerCreating']);
    expect(pods().map(ready)).toEqual([true, true]);
    expect(addresses()).toEqual([2, 0]);
  });

  it('the objects the loop reads are the frozen stored ones: a controller cannot change them in place', () => {
    // Prepare
    const { pods } = cluster();
    const p: KubeObject = pods()[0]!;

    // Act
    const write = () => {
      (p.status as { phase: string }).phase = 'Failed';
    };

    // Assess
    expect(write).toThrow(TypeError);
  });
});
