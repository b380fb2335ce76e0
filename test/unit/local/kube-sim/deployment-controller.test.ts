import { describe, expect, it } from 'vitest';
import { createObject } from '../../../../local/kube-sim/api/write.js';
import { syncDeployments } from '../../../../local/kube-sim/controllers/deployment.js';
import { maxReplicas, newReplicaSetAnnotations } from '../../../../local/kube-sim/controllers/rs-annotations.js';
import { EVENT_TTL_MS, EventRecorder } from '../../../../local/kube-sim/events.js';
import { resourceForKind } from '../../../../local/kube-sim/resources.js';
import { workload } from '../../../../local/kube-sim/seed.js';
import { ObjectStore } from '../../../../local/kube-sim/store.js';
import { type Deployment, type KubeObject } from '../../../../local/kube-sim/types.js';

const DEPLOY = resourceForKind('Deployment');
const RS = resourceForKind('ReplicaSet');
const EVENTS = resourceForKind('Event');
const T0 = Date.parse('2026-01-01T00:00:00Z');

function cluster(replicas = 2) {
  let now = T0;
  const store = new ObjectStore({ now: () => now });
  const recorder = new EventRecorder(store, () => now);
  createObject(store, resourceForKind('Namespace'), { metadata: { name: 'demo' } }, undefined);
  const { deployment } = workload({
    name: 'w',
    namespace: 'demo',
    image: 'ghcr.io/x/w:1.0',
    port: 3000,
    replicas,
    selfHeal: true
  });
  createObject(store, DEPLOY, deployment, 'demo');
  const sync = () => syncDeployments(store, recorder, now);
  const patch = (change: (d: Deployment) => Deployment) =>
    store.update(DEPLOY, change(store.get(DEPLOY, 'demo', 'w') as Deployment));
  const messages = () =>
    store
      .list(EVENTS, 'demo')
      .filter((e) => e['reason'] === 'ScalingReplicaSet')
      .map((e) => e['message']);
  return { store, recorder, sync, patch, messages, advance: (ms: number) => (now += ms), now: () => now };
}

describe('Kube simulator: deployment controller', () => {
  it('ScalingReplicaSet events say from how many replicas, except for a ReplicaSet created at that size (kube-controller-manager)', () => {
    // Prepare
    const { store, sync, patch, messages } = cluster(2);
    sync();
    const rs = store.list(RS, 'demo')[0]!.metadata.name;

    // Act
    patch((d) => ({ ...d, spec: { ...d.spec, replicas: 0 } }));
    sync();
    patch((d) => ({ ...d, spec: { ...d.spec, replicas: 3 } }));
    sync();
    patch((d) => ({
      ...d,
      spec: { ...d.spec, template: { ...d.spec.template, metadata: { labels: { app: 'w', v: '2' } } } }
    }));
    sync();
    const next = store.list(RS, 'demo').find((r) => r.metadata.name !== rs)!.metadata.name;

    // Assess
    expect(messages()).toEqual([
      `Scaled up replica set ${rs} to 2`,
      `Scaled down replica set ${rs} to 0 from 2`,
      `Scaled up replica set ${rs} to 3 from 0`,
      `Scaled up replica set ${next} to 1`
    ]);
  });

  it("the new ReplicaSet carries the Deployment's annotations (except the controller's own and last-applied), added, never removed", () => {
    // Prepare
    const { store, sync, patch } = cluster(1);
    patch((d) => ({
      ...d,
      metadata: {
        ...d.metadata,
        annotations: {
          'sim.cortex.dev/fault-on-new-template': 'crashloop',
          'kubernetes.io/change-cause': 'first',
          'kubectl.kubernetes.io/last-applied-configuration': '{}\n'
        }
      }
    }));

    // Act
    sync();
    patch((d) => ({ ...d, metadata: { ...d.metadata, annotations: { 'kubernetes.io/change-cause': 'second' } } }));
    sync();

    // Assess
    expect(store.list(RS, 'demo')[0]!.metadata.annotations).toEqual({
      'sim.cortex.dev/fault-on-new-template': 'crashloop',
      'kubernetes.io/change-cause': 'second',
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '1',
      'deployment.kubernetes.io/max-replicas': '2'
    });
  });

  it('a ReplicaSet that becomes new again takes the next revision; max replicas follow the surge', () => {
    // Prepare
    const d = cluster(10).store.get(DEPLOY, 'demo', 'w') as Deployment;
    const recreate: Deployment = { ...d, spec: { ...d.spec, strategy: { type: 'Recreate' } } };

    // Act
    const back = newReplicaSetAnnotations(d, { 'deployment.kubernetes.io/revision': '1' }, 2);
    const current = newReplicaSetAnnotations(d, { 'deployment.kubernetes.io/revision': '3' }, 2);

    // Assess
    expect(back['deployment.kubernetes.io/revision']).toBe('3');
    expect(current['deployment.kubernetes.io/revision']).toBe('3');
    expect(back['deployment.kubernetes.io/max-replicas']).toBe('13');
    expect(maxReplicas(recreate)).toBe(10);
  });
});

describe('Kube simulator: event expiry', () => {
  it('events expire an hour after their last write; an aggregated event lives on; API-written events too', () => {
    // Prepare
    const { store, recorder, advance, now } = cluster(1);
    const pod = { metadata: { name: 'p', namespace: 'demo', uid: 'u' }, kind: 'Pod', apiVersion: 'v1' } as KubeObject;
    const record = (reason: string) =>
      recorder.record(pod, { type: 'Normal', reason, message: reason, source: { component: 'kubelet' } });
    record('Old');
    record('Repeated');
    store.create(EVENTS, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'by-client', namespace: 'demo', uid: '', resourceVersion: '', creationTimestamp: '' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'demo' },
      reason: 'Custom'
    });

    // Act
    advance(EVENT_TTL_MS / 2);
    record('Repeated');
    const midway = recorder.expire(now());
    advance(EVENT_TTL_MS / 2);
    const due = recorder.expire(now());
    const atTtl = store.list(EVENTS, 'demo').map((e) => e['reason']);
    advance(EVENT_TTL_MS / 2);
    recorder.expire(now());
    const later = store.list(EVENTS, 'demo').map((e) => e['reason']);
    record('Repeated');

    // Assess
    expect(midway).toBe(T0 + EVENT_TTL_MS);
    expect(atTtl).toEqual(['Repeated']);
    expect(due).toBe(T0 + EVENT_TTL_MS * 1.5);
    expect(later).toEqual([]);
    expect(store.list(EVENTS, 'demo').map((e) => [e['reason'], e['count']])).toEqual([['Repeated', 1]]);
  });
});
