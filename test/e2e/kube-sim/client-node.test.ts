import { createServer, type AddressInfo } from 'node:net';
import { CoreV1Api, type KubeConfig, type V1Pod, Watch, makeInformer } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator } from '../../../local/kube-sim/index.js';
import { createKubePort, loadKubeConfig } from '../../../shared/kube/client-node.js';
import { type KubePort } from '../../../shared/kube/port.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  TransientError
} from '../../../shared/runtime/errors.js';
import { livePods, startTestSimulator } from '../../helpers/kube-sim.js';

const HISTORY = 40;

describe('Cluster simulator: @kubernetes/client-node through shared/kube', () => {
  let sim: Simulator;
  let kubeconfig: string;
  let kube: KubePort;
  let kc: KubeConfig;

  beforeAll(async () => {
    ({ sim, kubeconfig } = await startTestSimulator({ historySize: HISTORY }));
    kube = createKubePort({ kubeconfigPath: kubeconfig, timeoutMs: 5_000 });
    kc = loadKubeConfig({ kubeconfigPath: kubeconfig });
    await sim.waitFor(() => sim.get('Deployment', 'demo', 'mcp-tools')?.status?.['readyReplicas'] === 2);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('lists pods with label and field selectors', async () => {
    // Prepare
    const tools = livePods(sim, 'mcp-tools').sort();

    // Act
    const byLabel = await kube.listPods('demo', { labelSelector: 'app=mcp-tools' });
    const byExpr = await kube.listPods('demo', { labelSelector: 'app in (mcp-tools,legacy-api),cortex.dev/self-heal' });
    const byField = await kube.listPods('demo', { fieldSelector: `metadata.name=${tools[0]},status.phase=Running` });

    // Assess
    expect(byLabel.map((p) => p.metadata!.name).sort()).toEqual(tools);
    expect(byExpr.map((p) => p.metadata!.name).sort()).toEqual(tools);
    expect(byField.map((p) => p.metadata!.name)).toEqual([tools[0]]);
  });

  it('reads objects, and a missing one as undefined', async () => {
    // Prepare
    const name = 'mcp-demo';

    // Act
    const d = await kube.readDeployment('demo', name);
    const missing = await kube.readDeployment('demo', 'nope');
    const svc = await kube.readService('demo', name);
    const ep = await kube.readEndpoints('demo', name);
    const slices = await kube.listEndpointSlices('demo', { labelSelector: `kubernetes.io/service-name=${name}` });

    // Assess
    expect(d?.metadata?.labels?.['cortex.dev/self-heal']).toBe('enabled');
    expect(d?.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(missing).toBeUndefined();
    expect(svc?.spec?.ports?.[0]).toMatchObject({ port: 80, targetPort: 3000 });
    expect(ep?.subsets?.[0]?.addresses).toHaveLength(1);
    expect(slices[0]?.endpoints[0]?.conditions?.ready).toBe(true);
  });

  it('patches with merge and with strategic merge (containers merged by name)', async () => {
    // Prepare
    const before = (await kube.readDeployment('demo', 'legacy-api'))!;

    // Act
    const merged = await kube.patchDeployment(
      'demo',
      'legacy-api',
      { metadata: { labels: { tier: 'backend' } } },
      { strategy: 'merge' }
    );
    const strategic = await kube.patchDeployment('demo', 'legacy-api', {
      spec: { template: { spec: { containers: [{ name: 'server', env: [{ name: 'LOG_LEVEL', value: 'debug' }] }] } } }
    });

    // Assess
    expect(merged.metadata?.labels).toMatchObject({ app: 'legacy-api', tier: 'backend' });
    const c = strategic.spec!.template.spec!.containers[0]!;
    expect(c.image).toBe(before.spec!.template.spec!.containers[0]!.image);
    expect(c.ports?.[0]?.containerPort).toBe(8080);
    expect(c.env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
    expect(strategic.metadata!.generation).toBe((before.metadata!.generation ?? 1) + 1);
  });

  it('scales through /scale and deletes pods', async () => {
    // Prepare
    const victim = livePods(sim, 'mcp-tools')[0]!;

    // Act
    const scale = await kube.scaleDeployment('demo', 'mcp-tools', 3);
    const deleted = await kube.deletePod('demo', victim);
    const again = await kube.deletePod('demo', 'no-such-pod');

    // Assess
    expect(scale.spec?.replicas).toBe(3);
    expect(deleted).toBe(true);
    expect(again).toBe(false);
    await sim.waitFor(() => livePods(sim, 'mcp-tools').length === 3 && !livePods(sim, 'mcp-tools').includes(victim));
    await kube.scaleDeployment('demo', 'mcp-tools', 2);
  });

  it('reads logs, including the previous container, with tailLines and limitBytes', async () => {
    // Prepare
    const pod = livePods(sim, 'mcp-demo')[0]!;
    const noPrevious = await kube.readPodLog('demo', pod, { container: 'server', previous: true });
    sim.setFault('demo', 'mcp-demo', 'crashloop');
    await sim.waitFor(
      () => (sim.get('Pod', 'demo', pod)?.status?.['containerStatuses'] as { restartCount: number }[])[0]!.restartCount >= 1
    );

    // Act
    const current = await kube.readPodLog('demo', pod, { tailLines: 2 });
    const previous = await kube.readPodLog('demo', pod, { container: 'server', previous: true });
    const limited = await kube.readPodLog('demo', pod, { previous: true, limitBytes: 10 });
    const missingPod = await kube.readPodLog('demo', 'gone');

    // Assess
    expect(noPrevious).toBeUndefined();
    expect(current?.trimEnd().split('\n').length).toBeLessThanOrEqual(2);
    expect(previous).toContain('Error: connect ECONNREFUSED 10.10.4.7:6379');
    expect(limited).toHaveLength(10);
    expect(missingPod).toBeUndefined();
    sim.setFault('demo', 'mcp-demo', 'none');
  });

  it('dryRun writes answer as if applied and change nothing', async () => {
    // Prepare
    const before = sim.get('Deployment', 'demo', 'legacy-api')!;
    const pod = livePods(sim, 'legacy-api')[0]!;

    // Act
    const scale = await kube.scaleDeployment('demo', 'legacy-api', 5, { dryRun: true });
    const patched = await kube.patchDeployment(
      'demo',
      'legacy-api',
      { metadata: { labels: { dry: 'run' } } },
      { dryRun: true, strategy: 'merge' }
    );
    const deleted = await kube.deletePod('demo', pod, { dryRun: true });

    // Assess
    expect(scale.spec?.replicas).toBe(5);
    expect(patched.metadata?.labels?.['dry']).toBe('run');
    expect(deleted).toBe(true);
    const after = sim.get('Deployment', 'demo', 'legacy-api')!;
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.metadata.labels?.['dry']).toBeUndefined();
    expect(sim.get('Pod', 'demo', pod)?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('lists events of an object by involvedObject.uid', async () => {
    // Prepare
    const d = sim.get('Deployment', 'demo', 'mcp-demo')!;

    // Act
    const events = await kube.listEvents('demo', { fieldSelector: `involvedObject.uid=${d.metadata.uid}` });

    // Assess
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.involvedObject.name === 'mcp-demo' && e.involvedObject.kind === 'Deployment')).toBe(true);
    expect(events.map((e) => e.reason)).toContain('ScalingReplicaSet');
  });

  it('watches: a 410 Expired makes the informer re-list, and it keeps following', async () => {
    // Prepare
    const core = kc.makeApiClient(CoreV1Api);
    let lists = 0;
    const informer = makeInformer<V1Pod>(kc, '/api/v1/namespaces/demo/pods', () => {
      lists++;
      return core.listNamespacedPod({ namespace: 'demo' });
    });
    await informer.start();
    // More changes than the history holds, none of them to pods: the informer's resourceVersion falls out of it.
    for (let i = 0; i < HISTORY + 10; i++) {
      const res = await fetch(`${sim.url}/api/v1/namespaces/demo/configmaps`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sim.adminToken}` },
        body: JSON.stringify({ metadata: { name: `filler-${i}` }, data: { i: String(i) } })
      });
      expect(res.status).toBe(201);
    }

    // Act
    sim.dropWatches();
    await sim.waitFor(() => lists >= 2, { message: 'the informer to re-list' });
    await kube.scaleDeployment('demo', 'legacy-api', 2);
    const seen = await sim.waitFor(
      () =>
        informer.list('demo').filter((p) => p.metadata?.labels?.['app'] === 'legacy-api' && !p.metadata.deletionTimestamp)
          .length === 2
    );
    await informer.stop();

    // Assess
    expect(lists).toBeGreaterThanOrEqual(2);
    expect(seen).toBe(true);
    await kube.scaleDeployment('demo', 'legacy-api', 1);
  });

  it('watches: an old resourceVersion gets one ERROR 410 Expired event', async () => {
    // Prepare
    const events: { phase: string; obj: { code?: number; reason?: string } }[] = [];

    // Act
    const done = await new Promise<unknown>((resolve) => {
      void new Watch(kc).watch(
        '/api/v1/namespaces/demo/pods',
        { resourceVersion: '1001' },
        (phase, obj) => events.push({ phase, obj }),
        resolve
      );
    });

    // Assess
    expect(done).toBeNull();
    expect(events).toEqual([{ phase: 'ERROR', obj: expect.objectContaining({ code: 410, reason: 'Expired' }) }]);
  });

  it('maps API errors to CortexErrors with retry meaning', async () => {
    // Prepare
    const stale = { metadata: { resourceVersion: '1' }, spec: { paused: false } };

    // Act
    const forbid = sim.failRequests({ path: '/namespaces/demo/pods', code: 403, times: 1 });
    const forbidden = await kube.listPods('demo').catch((e: unknown) => e);
    forbid();
    sim.failRequests({ path: '/namespaces/demo/replicasets', code: 503, times: 1 });
    const unavailable = await kube.listReplicaSets('demo').catch((e: unknown) => e);
    sim.failRequests({ path: '/namespaces/demo/events', code: 429, times: 1 });
    const throttled = await kube.listEvents('demo').catch((e: unknown) => e);
    const conflict = await kube.patchDeployment('demo', 'mcp-demo', stale, { strategy: 'merge' }).catch((e: unknown) => e);
    const notFound = await kube.scaleDeployment('demo', 'nope', 1).catch((e: unknown) => e);
    const invalid = await kube.scaleDeployment('demo', 'mcp-demo', -1).catch((e: unknown) => e);

    // Assess
    expect(forbidden).toBeInstanceOf(ForbiddenError);
    expect(unavailable).toBeInstanceOf(TransientError);
    expect(throttled).toBeInstanceOf(TransientError);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as Error).message).toContain('patching deployment demo/mcp-demo failed: 409');
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect((notFound as Error).message).toContain('deployments.apps "nope" not found');
    expect(invalid).toBeInstanceOf(InvalidRequestError);
    expect((invalid as Error).message).toContain('spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect((unavailable as Error).cause).toBeDefined();
  });

  it('maps a hanging API and a dead server to TransientError', async () => {
    // Prepare
    const quick = createKubePort({ kubeconfigPath: kubeconfig, timeoutMs: 300 });
    const stopHanging = sim.failRequests({ path: '/deployments/mcp-demo', hang: true });
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const dead = await sim.writeKubeconfig(kubeconfig.replace(/kubeconfig\.yaml$/, 'dead.yaml'));
    const { readFile, writeFile } = await import('node:fs/promises');
    await writeFile(dead, (await readFile(dead, 'utf8')).replace(`:${sim.port}`, `:${deadPort}`));

    // Act
    const timedOut = await quick.readDeployment('demo', 'mcp-demo').catch((e: unknown) => e);
    stopHanging();
    const refused = await createKubePort({ kubeconfigPath: dead, timeoutMs: 2_000 })
      .listPods('demo')
      .catch((e: unknown) => e);

    // Assess
    expect(timedOut).toBeInstanceOf(TransientError);
    expect((timedOut as Error).message).toContain('reading deployment demo/mcp-demo timed out');
    expect(refused).toBeInstanceOf(TransientError);
    expect((refused as Error).message).toContain('cannot reach the Kubernetes API');
  });
});
