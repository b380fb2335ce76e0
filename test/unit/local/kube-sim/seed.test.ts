import { describe, expect, it } from 'vitest';
import { LAST_APPLIED } from '../../../../local/kube-sim/controllers/rs-annotations.js';
import { DEPENDS_ON_ANNOTATION } from '../../../../local/kube-sim/kubelet/dependencies.js';
import { resourceForKind } from '../../../../local/kube-sim/resources.js';
import { DEMO_WORKLOADS, asApplied, seedBase, seedDemo, workload } from '../../../../local/kube-sim/seed.js';
import { ObjectStore } from '../../../../local/kube-sim/store.js';

describe('Kube simulator: the demo seed', () => {
  it('leaves what kubectl apply leaves: the manifest in last-applied-configuration, sorted keys, final newline', () => {
    // Prepare
    const { deployment } = workload({
      name: 'w',
      namespace: 'demo',
      image: 'ghcr.io/x/w:1.0',
      port: 3000,
      replicas: 2,
      selfHeal: false,
      annotations: { 'a.example/b': 'c' }
    });

    // Act
    const applied = asApplied(deployment);

    // Assess
    const text = applied.metadata.annotations![LAST_APPLIED]!;
    expect(text.endsWith('}\n')).toBe(true);
    expect(
      text.startsWith('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"a.example/b":"c"},')
    ).toBe(true);
    expect(JSON.parse(text)).toEqual(deployment);
    expect(applied.metadata.annotations!['a.example/b']).toBe('c');
  });

  it('seeds postgres for mcp-demo, mcp-tools at 2 replicas, fixed ClusterIPs, last-applied on every Deployment and Service', () => {
    // Prepare
    const store = new ObjectStore();
    seedBase(store);

    // Act
    seedDemo(store);

    // Assess
    const deployments = store.list(resourceForKind('Deployment'), 'demo');
    const services = store.list(resourceForKind('Service'), 'demo');
    expect(deployments.map((d) => [d.metadata.name, d.spec!['replicas']])).toEqual([
      ['legacy-api', 1],
      ['mcp-demo', 1],
      ['mcp-tools', 2],
      ['postgres', 1]
    ]);
    expect(Object.fromEntries(services.map((s) => [s.metadata.name, s.spec!['clusterIP']]))).toEqual({
      'legacy-api': '10.96.0.14',
      'mcp-demo': '10.96.0.12',
      'mcp-tools': '10.96.0.13',
      postgres: '10.96.0.15'
    });
    expect(services.find((s) => s.metadata.name === 'postgres')!.spec!['ports']).toEqual([
      { name: 'tcp', port: 5432, targetPort: 5432, protocol: 'TCP' }
    ]);
    expect(deployments.find((d) => d.metadata.name === 'mcp-demo')!.metadata.annotations![DEPENDS_ON_ANNOTATION]).toBe(
      'postgres:5432'
    );
    expect(deployments.find((d) => d.metadata.name === 'postgres')!.metadata.labels!['cortex.dev/self-heal']).toBe(
      'enabled'
    );
    for (const o of [...deployments, ...services]) {
      const applied = JSON.parse(o.metadata.annotations![LAST_APPLIED]!) as { metadata: { name: string } };
      expect(applied.metadata.name).toBe(o.metadata.name);
    }
    expect(DEMO_WORKLOADS.filter((w) => w.name === 'mcp-tools')[0]!.replicas).toBe(2);
  });
});
