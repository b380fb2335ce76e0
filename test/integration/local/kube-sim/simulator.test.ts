import { describe, expect, it } from 'vitest';
import { type KubeObject, startSimulator } from '../../../../local/kube-sim/index.js';
import { asAdmin } from '../../../helpers/kube-sim.js';

const readyReplicas = (d: KubeObject | undefined): unknown => d?.status?.['readyReplicas'];

describe('Kube simulator: programmatic API', () => {
  it('with podStartMs 0, seeded pods are Running and Ready as soon as the controllers settle', async () => {
    // Prepare
    const sim = await startSimulator({ seed: 'demo', podStartMs: 0 });

    try {
      // Act
      const d = await sim.waitFor(
        () =>
          readyReplicas(sim.get('Deployment', 'demo', 'mcp-tools')) === 2
            ? sim.get('Deployment', 'demo', 'mcp-tools')
            : undefined,
        {
          timeoutMs: 10_000
        }
      );
      const pods = sim.list('Pod', 'demo', 'app=mcp-tools');

      // Assess
      expect(d.status).toMatchObject({ replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
      expect(pods.map((p) => p.status?.['phase'])).toEqual(['Running', 'Running']);
      expect(sim.get('Endpoints', 'demo', 'mcp-tools')?.['subsets']).toHaveLength(1);
    } finally {
      await sim.stop();
    }
  });

  it('seed none has only the namespaces every cluster has, one node and the kubernetes Service', async () => {
    // Prepare
    const sim = await startSimulator({ seed: 'none' });

    try {
      // Act
      const namespaces = sim.list('Namespace').map((n) => n.metadata.name);
      const nodes = sim.list('Node');
      const res = await fetch(`${sim.url}/api/v1/namespaces/default/services/kubernetes`, { headers: asAdmin(sim) });

      // Assess
      expect(namespaces).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
      expect(nodes.map((n) => n.metadata.name)).toEqual(['sim-node-1']);
      expect(nodes[0]!.status?.['allocatable']).toMatchObject({ cpu: '3800m', memory: '15Gi', pods: '110' });
      expect(((await res.json()) as { spec: { clusterIP: string } }).spec.clusterIP).toBe('10.96.0.1');
    } finally {
      await sim.stop();
    }
  });

  it('stop() ends open watches and frees the port', async () => {
    // Prepare
    const sim = await startSimulator({ seed: 'none' });
    const res = await fetch(`${sim.url}/api/v1/pods?watch=true`, { headers: asAdmin(sim) });
    const reader = res.body!.getReader();

    // Act
    await sim.stop();
    const ended = await reader.read().then(
      (r) => r.done,
      () => true
    );
    const after = await fetch(`${sim.url}/healthz`).then(
      () => 'answered',
      () => 'refused'
    );

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(ended).toBe(true);
    expect(after).toBe('refused');
  });

  it('an unknown fault value is ignored while a known one takes effect', async () => {
    // Prepare
    const sim = await startSimulator({ seed: 'demo', podStartMs: 0, backoffBaseMs: 100, crashAfterMs: 50, crashHoldMs: 50 });
    const annotate = (name: string, fault: string) =>
      fetch(`${sim.url}/apis/apps/v1/namespaces/demo/deployments/${name}`, {
        method: 'PATCH',
        headers: asAdmin(sim, { 'Content-Type': 'application/merge-patch+json' }),
        body: JSON.stringify({ metadata: { annotations: { 'sim.cortex.dev/fault': fault } } })
      });
    const restarts = (app: string): number =>
      sim
        .list('Pod', 'demo', `app=${app}`)
        .flatMap((p) => (p.status?.['containerStatuses'] as { restartCount: number }[] | undefined) ?? [])
        .reduce((n, c) => n + c.restartCount, 0);

    try {
      await sim.waitFor(
        () =>
          readyReplicas(sim.get('Deployment', 'demo', 'mcp-demo')) === 1 &&
          readyReplicas(sim.get('Deployment', 'demo', 'legacy-api')) === 1
      );

      // Act
      const unknown = await annotate('mcp-demo', 'meteor-strike');
      const known = await annotate('legacy-api', 'crashloop');
      // The crash of legacy-api shows that the kubelet has seen both annotations for longer than crashAfterMs.
      await sim.waitFor(() => restarts('legacy-api') >= 2);

      // Assess
      expect(unknown.status).toBe(200);
      expect(known.status).toBe(200);
      expect(restarts('mcp-demo')).toBe(0);
      expect(readyReplicas(sim.get('Deployment', 'demo', 'mcp-demo'))).toBe(1);
    } finally {
      await sim.stop();
    }
  });
});
