import { describe, expect, it } from 'vitest';
import { readScalingEvents, readTarget } from '../../../../shared/kube/workload.js';
import type { KubePort } from '../../../../shared/kube/port.js';
import { createFakeKube, type FakeCluster } from '../../../fakes/kube.js';
import { APP, deployment, NS, service } from '../../../helpers/check-cluster.js';

/** A fake cluster whose reads are counted by method. */
function counted(cluster: Partial<FakeCluster>): { kube: KubePort; calls: string[] } {
  const fake = createFakeKube(cluster);
  const calls: string[] = [];
  const kube = new Proxy(fake, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    }
  });
  return { kube, calls };
}

const named = (name: string, labels: Record<string, string>) => {
  const d = deployment({ labels });
  d.metadata!.name = name;
  return d;
};

describe('readTarget: the Service and the Deployment behind it', () => {
  it('reads the Deployment of the Service name and lists nothing when the Service selects its pods', async () => {
    // Prepare: other Deployments in the namespace that the Service also selects
    const { kube, calls } = counted({
      services: [service({ selector: { app: APP } })],
      deployments: [named('mcp-demo-canary', { app: APP }), deployment({ labels: { app: APP } })]
    });
    // Act
    const { service: svc, deployment: d } = await readTarget(kube, NS, APP);
    // Assess
    expect({ service: svc?.metadata?.name, deployment: d?.metadata?.name }).toEqual({ service: APP, deployment: APP });
    expect(calls.sort()).toEqual(['readDeployment', 'readService']);
  });

  it('lists the namespace and picks the selected Deployment when the namesake is not selected', async () => {
    // Prepare: the Service selects version 2, whose Deployment has another name
    const { kube, calls } = counted({
      services: [service({ selector: { app: APP, version: '2' } })],
      deployments: [deployment({ labels: { app: APP, version: '1' } }), named('mcp-demo-v2', { app: APP, version: '2' })]
    });
    // Act
    const { deployment: d } = await readTarget(kube, NS, APP);
    // Assess
    expect(d?.metadata?.name).toBe('mcp-demo-v2');
    expect(calls.sort()).toEqual(['listDeployments', 'readDeployment', 'readService']);
  });

  it('lists the namespace when no Deployment has the Service name, and finds none when none is selected', async () => {
    // Prepare
    const { kube, calls } = counted({
      services: [service({ selector: { app: APP } })],
      deployments: [named('other', { app: 'other' })]
    });
    // Act
    const found = await readTarget(kube, NS, APP);
    // Assess
    expect(found.deployment).toBeUndefined();
    expect(calls).toContain('listDeployments');
  });

  it('takes the namesake when there is no Service, or one that selects nothing, as a list would', async () => {
    // Prepare
    const alone = counted({ deployments: [deployment()] });
    const bare = counted({ services: [service({ selector: {} })], deployments: [deployment()] });
    // Act
    const [a, b] = await Promise.all([readTarget(alone.kube, NS, APP), readTarget(bare.kube, NS, APP)]);
    // Assess
    expect([a.service, a.deployment?.metadata?.name]).toEqual([undefined, APP]);
    expect(b.deployment?.metadata?.name).toBe(APP);
    expect([...alone.calls, ...bare.calls]).not.toContain('listDeployments');
  });
});

describe("readScalingEvents: a Deployment's ScalingReplicaSet events", () => {
  it("asks for that Deployment's alone, and for nothing without a Deployment", async () => {
    // Prepare
    const kube = createFakeKube({});
    const asked: (string | undefined)[] = [];
    const list = kube.listEvents.bind(kube);
    kube.listEvents = (ns, opts) => (asked.push(opts?.fieldSelector), list(ns, opts));
    // Act
    await readScalingEvents(kube, NS, deployment());
    await readScalingEvents(kube, NS, undefined);
    // Assess
    expect(asked).toEqual([`reason=ScalingReplicaSet,involvedObject.kind=Deployment,involvedObject.name=${APP}`]);
  });
});
