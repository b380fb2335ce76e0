import { describe, expect, it } from 'vitest';
import { FAULT_ANNOTATION, FaultTracker, parseFaults } from '../../../../local/kube-sim/kubelet/faults.js';
import { type KubeObject, type Pod } from '../../../../local/kube-sim/types.js';

const meta = (name: string, uid: string, owner?: string, annotations?: Record<string, string>): KubeObject['metadata'] =>
  ({
    name,
    namespace: 'demo',
    uid,
    resourceVersion: '1',
    creationTimestamp: '2026-01-01T00:00:00Z',
    ...(owner ? { ownerReferences: [{ uid: owner, controller: true, kind: 'X', name: 'x', apiVersion: 'v1' }] } : {}),
    ...(annotations ? { annotations } : {})
  }) as KubeObject['metadata'];

const deployment = (faults?: string): KubeObject =>
  ({ metadata: meta('web', 'd1', undefined, faults ? { [FAULT_ANNOTATION]: faults } : undefined), spec: {} }) as KubeObject;
const rs = { metadata: meta('web-1', 'rs1', 'd1'), spec: {} } as KubeObject;
const pod = (uid: string, phase = 'Running'): Pod =>
  ({ metadata: meta(uid, uid, 'rs1'), spec: {}, status: { phase } }) as Pod;

describe('Kube simulator: several faults in one annotation', () => {
  it('parses a comma-separated list in order, without repeats, and names what is not a fault', () => {
    // Act
    const parsed = parseFaults(' evicted, crashloop-transient ,, meteor-strike,evicted');

    // Assess
    expect(parsed).toEqual({ faults: ['evicted', 'crashloop-transient'], unknown: ['meteor-strike'] });
    expect(parseFaults(undefined)).toEqual({ faults: [], unknown: [] });
  });

  it('a fault added to the list starts alone: the ones already there are not set again', () => {
    // Prepare
    const t = new FaultTracker();
    const first = t.observe([deployment('evicted')], [rs], [pod('p1')]);

    // Act: the evicted pod has failed and a replacement runs when crashloop-transient joins the list
    const second = t.observe([deployment('evicted,crashloop-transient')], [rs], [pod('p1', 'Failed'), pod('p2')]);
    const unchanged = t.observe([deployment('evicted, crashloop-transient')], [rs], [pod('p1', 'Failed'), pod('p2')]);

    // Assess
    expect(first.map((c) => c.added)).toEqual([['evicted']]);
    expect(second.map((c) => ({ added: c.added, previous: c.previous, pods: c.pods.map((p) => p.metadata.uid) }))).toEqual([
      { added: ['crashloop-transient'], previous: ['evicted'], pods: ['p2'] }
    ]);
    expect(unchanged).toEqual([]);
    expect(t.forPod(pod('p2'))).toEqual({ crash: 'transient' });
    expect(t.forPod(pod('p3'))).toEqual({});
  });

  it('effects combine per pod; the first crash listed wins', () => {
    // Prepare
    const t = new FaultTracker();

    // Act
    t.observe([deployment('oom,crashloop,not-ready,endpoints-stale')], [rs], [pod('p1')]);

    // Assess
    expect(t.forPod(pod('p1'))).toEqual({ crash: 'oom', notReady: true, staleEndpoints: true });
  });

  it('removing one fault of the list ends only that one', () => {
    // Prepare
    const t = new FaultTracker();
    t.observe([deployment('image-pull,not-ready')], [rs], [pod('p1')]);

    // Act
    const changes = t.observe([deployment('not-ready')], [rs], [pod('p1')]);

    // Assess
    expect(changes.map((c) => ({ faults: c.faults, added: c.added }))).toEqual([{ faults: ['not-ready'], added: [] }]);
    expect(t.forPod(pod('p1'))).toEqual({ notReady: true });
  });

  it('unknown values are reported once each, next to the known faults that take effect', () => {
    // Prepare
    const t = new FaultTracker();
    const unknown: string[] = [];

    // Act
    t.observe([deployment('meteor,oom')], [rs], [pod('p1')], (_d, v) => unknown.push(v));
    t.observe([deployment('meteor,oom')], [rs], [pod('p1')], (_d, v) => unknown.push(v));

    // Assess
    expect(unknown).toEqual(['meteor']);
    expect(t.forPod(pod('p1'))).toEqual({ crash: 'oom' });
  });
});
