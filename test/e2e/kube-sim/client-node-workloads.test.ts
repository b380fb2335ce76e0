import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator } from '../../../local/kube-sim/index.js';
import { createKubePort } from '../../../shared/kube/client-node.js';
import { type KubePort } from '../../../shared/kube/port.js';
import { livePods, startTestSimulator } from '../../helpers/kube-sim.js';

/*
 * What the checks will read through @kubernetes/client-node (shared/kube) when a dependency goes down: the crash log
 * naming the Service's ClusterIP, the Service and its empty Endpoints, the ScalingReplicaSet event with its "from N",
 * and the replica count kept in last-applied-configuration.
 */
describe('Cluster simulator: a dependency down, read through @kubernetes/client-node', () => {
  let sim: Simulator;
  let kube: KubePort;

  const ready = (app: string, n: number) =>
    sim.waitFor(() => sim.get('Deployment', 'demo', app)?.status?.['readyReplicas'] === n, { message: `${app} ready` });
  const waiting = (app: string) =>
    (
      sim.list('Pod', 'demo', `app=${app}`)[0]?.status?.['containerStatuses'] as
        { state: { waiting?: { reason: string } } }[] | undefined
    )?.[0]?.state.waiting?.reason;

  beforeAll(async () => {
    let kubeconfig: string;
    ({ sim, kubeconfig } = await startTestSimulator());
    kube = createKubePort({ kubeconfigPath: kubeconfig, timeoutMs: 5_000 });
    await ready('mcp-demo', 1);
    await ready('postgres', 1);
    await ready('mcp-tools', 2);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('postgres at 0: the crash log, the Service, its Endpoints and the scale event all point at demo/postgres', async () => {
    // Prepare
    const pod = livePods(sim, 'mcp-demo')[0]!;
    const svc = await kube.readService('demo', 'postgres');

    // Act
    await kube.scaleDeployment('demo', 'postgres', 0);
    await sim.waitFor(() => waiting('mcp-demo') === 'CrashLoopBackOff', { message: 'mcp-demo in CrashLoopBackOff' });
    const log = await kube.readPodLog('demo', pod, { container: 'server', previous: true });
    const endpoints = await kube.readEndpoints('demo', 'postgres');
    const events = await kube.listEvents('demo', {
      fieldSelector: 'involvedObject.kind=Deployment,involvedObject.name=postgres,reason=ScalingReplicaSet'
    });
    await kube.scaleDeployment('demo', 'postgres', 1);
    await ready('mcp-demo', 1);

    // Assess
    expect(svc?.spec?.clusterIP).toBe('10.96.0.15');
    expect(log).toContain(`Error: connect ECONNREFUSED ${svc!.spec!.clusterIP}:5432`);
    expect(log).toContain('postgres.demo.svc.cluster.local:5432');
    expect(endpoints?.subsets ?? []).toEqual([]);
    expect(events.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/^Scaled down replica set postgres-\w+ to 0 from 1$/)
    );
    expect(livePods(sim, 'mcp-demo')).toEqual([pod]);
  });

  it('mcp-tools at 0: the event says from 2, last-applied-configuration still says 2', async () => {
    // Prepare
    const rs = (await kube.listReplicaSets('demo', { labelSelector: 'app=mcp-tools' }))[0]!.metadata!.name!;

    // Act
    await kube.scaleDeployment('demo', 'mcp-tools', 0);
    const events = await sim.waitFor(async () => {
      const list = await kube.listEvents('demo', {
        fieldSelector: 'involvedObject.name=mcp-tools,reason=ScalingReplicaSet'
      });
      return list.some((e) => e.message === `Scaled down replica set ${rs} to 0 from 2`) && list;
    });
    const d = await kube.readDeployment('demo', 'mcp-tools');
    await kube.scaleDeployment('demo', 'mcp-tools', 2);

    // Assess
    expect(events.find((e) => e.message?.includes('to 0 from 2'))).toMatchObject({
      type: 'Normal',
      involvedObject: { kind: 'Deployment', name: 'mcp-tools', uid: d!.metadata!.uid },
      source: { component: 'deployment-controller' }
    });
    expect(d?.spec?.replicas).toBe(0);
    const applied = JSON.parse(d!.metadata!.annotations!['kubectl.kubernetes.io/last-applied-configuration']!) as {
      spec: { replicas: number };
    };
    expect(applied.spec.replicas).toBe(2);
  });
});
