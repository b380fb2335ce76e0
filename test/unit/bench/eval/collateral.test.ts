import { describe, expect, it } from 'vitest';
import { collateral, ownIds } from '../../../../bench/eval/collateral.js';
import type { KubeObject } from '../../../../local/kube-sim/index.js';

const obj = (kind: string, name: string, uid: string, extra: Partial<KubeObject> & { owner?: string } = {}): KubeObject => {
  const { owner, ...rest } = extra;
  return {
    apiVersion: 'v1',
    kind,
    metadata: {
      name,
      namespace: 'demo',
      uid,
      resourceVersion: '1',
      creationTimestamp: '',
      ...(owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: owner, controller: true }] } : {})
    },
    spec: { replicas: 1 },
    ...rest
  } as KubeObject;
};

const demo = { namespace: 'demo', name: 'mcp-demo' };
const cluster = [
  obj('Deployment', 'mcp-demo', 'd1'),
  obj('ReplicaSet', 'mcp-demo-1', 'rs1', { owner: 'd1' }),
  obj('Pod', 'mcp-demo-1-a', 'p1', { owner: 'rs1' }),
  obj('Service', 'mcp-demo', 's1'),
  obj('Deployment', 'mcp-tools', 'd2'),
  obj('ReplicaSet', 'mcp-tools-1', 'rs2', { owner: 'd2' }),
  obj('Pod', 'mcp-tools-1-a', 'p2', { owner: 'rs2' }),
  obj('NetworkPolicy', 'mcp-demo-sim-deny-all', 'np1')
];

describe('eval: collateral changes', () => {
  it("a workload's own objects are its Deployment, the ReplicaSets it controls, their pods and its Service", () => {
    // Act
    const own = ownIds(cluster, [demo]);

    // Assess
    expect([...own].sort()).toEqual([
      'Deployment demo/mcp-demo',
      'Pod demo/mcp-demo-1-a',
      'ReplicaSet demo/mcp-demo-1',
      'Service demo/mcp-demo'
    ]);
  });

  it('changes to its own objects do not count; status and annotations of others do not either', () => {
    // Prepare
    const after = cluster
      .filter((o) => o.metadata.uid !== 'p1')
      .map((o) => (o.metadata.uid === 'd1' ? { ...o, spec: { replicas: 3 } } : o))
      .map((o) =>
        o.metadata.uid === 'p2'
          ? { ...o, status: { phase: 'Failed' }, metadata: { ...o.metadata, annotations: { a: 'b' } } }
          : o
      );

    // Act
    const changes = collateral(cluster, [...after, obj('Pod', 'mcp-demo-1-b', 'p3', { owner: 'rs1' })], [demo]);

    // Assess
    expect(changes).toEqual([]);
  });

  it("another workload's pod deleted or replaced, a policy's spec changed, labels changed, something created", () => {
    // Prepare
    const after = cluster
      .filter((o) => o.metadata.uid !== 'rs2')
      .map((o) => (o.metadata.uid === 'p2' ? { ...o, metadata: { ...o.metadata, uid: 'p2b' } } : o))
      .map((o) => (o.metadata.uid === 'np1' ? { ...o, spec: { podSelector: {} } } : o))
      .map((o) => (o.metadata.uid === 'd2' ? { ...o, metadata: { ...o.metadata, labels: { x: 'y' } } } : o));

    // Act
    const changes = collateral(cluster, [...after, obj('ConfigMap', 'new', 'c1')], [demo]);

    // Assess
    expect(changes).toEqual([
      { object: 'ConfigMap demo/new', change: 'created' },
      { object: 'Deployment demo/mcp-tools', change: 'labels' },
      { object: 'NetworkPolicy demo/mcp-demo-sim-deny-all', change: 'spec' },
      { object: 'Pod demo/mcp-tools-1-a', change: 'replaced' },
      { object: 'ReplicaSet demo/mcp-tools-1', change: 'deleted' }
    ]);
  });
});
