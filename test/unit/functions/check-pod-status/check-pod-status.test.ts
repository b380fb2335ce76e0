import { describe, expect, it } from 'vitest';
import checkPodStatus from '../../../../functions/check-pod-status/index.js';
import { ForbiddenError, TransientError } from '../../../../shared/runtime/errors.js';
import { ctxFor } from '../../../fakes/ctx.js';
import { createFakeKube } from '../../../fakes/kube.js';
import {
  deployment,
  healthyCluster,
  pod,
  request,
  runCheckOn,
  service,
  type PodShape
} from '../../../helpers/check-cluster.js';

const cluster = (shapes: PodShape[], replicas = shapes.length) => ({
  deployments: [deployment({ replicas })],
  services: [service()],
  pods: shapes.map((s, i) => pod(`p${i}abc`, s))
});

describe('Function: check-pod-status', () => {
  it('returns no intents when the request does not list pod-status', async () => {
    // Prepare
    const ctx = await ctxFor(checkPodStatus, { kube: createFakeKube(healthyCluster()) });
    // Act
    const intents = await checkPodStatus.handle(request(['events', 'pod-logs']), ctx);
    // Assess
    expect(intents).toEqual([]);
  });

  it('is healthy when every desired pod is Running and Ready', async () => {
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', cluster(['ready', 'ready']));
    // Assess
    expect(out).toMatchObject({
      healingId: 'h-1',
      check: 'pod-status',
      phase: 'diagnose',
      verdict: 'healthy',
      target: { namespace: 'demo', service: 'mcp-demo' }
    });
    expect(out.summary).toBe('2/2 pods of demo/mcp-demo are Ready');
    expect(out.recommendation).toBeUndefined();
    expect(out.evidence.map((e) => e.subject)).toEqual(['pod/mcp-demo-7d4b9c8f6-p0abc', 'pod/mcp-demo-7d4b9c8f6-p1abc']);
  });

  it('recommends restart_pods for CrashLoopBackOff, naming the pods, restarts and last exit', async () => {
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', cluster(['crashloop']));
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe('0/1 pods of demo/mcp-demo are Ready: 1 CrashLoopBackOff (mcp-demo-7d4b9c8f6-p0abc)');
    expect(out.recommendation).toEqual({
      action: 'restart_pods',
      reason: '1 pod crash-looping: mcp-demo-7d4b9c8f6-p0abc',
      params: { pods: ['mcp-demo-7d4b9c8f6-p0abc'] }
    });
    expect(out.evidence[0]).toMatchObject({ subject: 'pod/mcp-demo-7d4b9c8f6-p0abc', reason: 'CrashLoopBackOff', count: 5 });
    expect(out.evidence[0]!.detail).toContain('last run Error exit 1');
  });

  it('recommends report_oom with a suggested limit when the last termination was OOMKilled', async () => {
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', cluster(['oom']));
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.recommendation).toMatchObject({
      action: 'report_oom',
      params: { container: 'server', currentLimit: '128Mi', suggestedLimit: '256Mi', pods: ['mcp-demo-7d4b9c8f6-p0abc'] }
    });
    expect(out.evidence[0]!.detail).toContain('last run OOMKilled exit 137');
  });

  it('catches a crash loop between two crashes: running again after a failed run, not ready', async () => {
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', cluster(['restarting']));
    // Assess
    expect(out.summary).toBe('0/1 pods of demo/mcp-demo are Ready: 1 restarting after Error (mcp-demo-7d4b9c8f6-p0abc)');
    expect(out.recommendation).toMatchObject({ action: 'restart_pods', params: { pods: ['mcp-demo-7d4b9c8f6-p0abc'] } });
  });

  it('asks for a restart of a pod caught between its first crashes, before the loop shows (a transient crash loop)', async () => {
    // Prepare
    const c = cluster(['restarting']);
    c.pods[0]!.status!.containerStatuses![0]!.restartCount = 1;
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', c);
    // Assess
    expect(out.summary).toBe('0/1 pods of demo/mcp-demo are Ready: 1 restarting after Error (mcp-demo-7d4b9c8f6-p0abc)');
    expect(out.recommendation).toMatchObject({ action: 'restart_pods', reason: '1 pod crashing: mcp-demo-7d4b9c8f6-p0abc' });
  });

  it('asks for a restart of a pod whose container has just exited with an error, and not for one that is only starting', async () => {
    // Prepare
    const crashed = cluster(['ready']);
    crashed.pods[0]!.status!.containerStatuses![0] = {
      ...crashed.pods[0]!.status!.containerStatuses![0]!,
      ready: false,
      state: { terminated: { exitCode: 1, reason: 'Error' } }
    };
    const starting = cluster(['ready']);
    starting.pods[0]!.status!.containerStatuses![0] = {
      ...starting.pods[0]!.status!.containerStatuses![0]!,
      ready: false,
      state: { waiting: { reason: 'ContainerCreating' } }
    };
    // Act
    const [a, b] = [
      await runCheckOn(checkPodStatus, 'pod-status', crashed),
      await runCheckOn(checkPodStatus, 'pod-status', starting)
    ];
    // Assess
    expect(a.recommendation?.action).toBe('restart_pods');
    expect(b.recommendation).toBeUndefined();
  });

  it('names the OOM kill behind a crash loop in the summary', async () => {
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', cluster(['oom']));
    // Assess
    expect(out.summary).toBe(
      '0/1 pods of demo/mcp-demo are Ready: 1 CrashLoopBackOff after OOMKilled (mcp-demo-7d4b9c8f6-p0abc)'
    );
  });

  it('sees an OOM kill right after it happened, before back-off starts', async () => {
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', cluster(['oom-just-killed']));
    // Assess
    expect(out.summary).toContain('1 OOMKilled');
    expect(out.recommendation?.action).toBe('report_oom');
  });

  it.each([
    ['image-pull', 'ImagePullBackOff'],
    ['err-image-pull', 'ErrImagePull']
  ] as const)('recommends report_image_pull naming the image for %s', async (shape, reason) => {
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', cluster([shape]));
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toContain(`1 ${reason}`);
    expect(out.recommendation).toMatchObject({
      action: 'report_image_pull',
      params: { image: 'ghcr.io/cortex-demo/mcp-demo:1.4.2', container: 'server', pods: ['mcp-demo-7d4b9c8f6-p0abc'] }
    });
    expect(out.recommendation!.reason).toContain(reason);
  });

  it('puts an image pull error before a crash loop (plan priority)', async () => {
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', cluster(['crashloop', 'image-pull']));
    // Assess
    expect(out.summary).toContain('1 CrashLoopBackOff, 1 ImagePullBackOff');
    expect(out.recommendation?.action).toBe('report_image_pull');
  });

  it('reports a workload scaled to zero as a problem without recommending anything', async () => {
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', cluster([], 0));
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe('No running pods for demo/mcp-demo: Deployment mcp-demo is scaled to 0 replicas');
    expect(out.recommendation).toBeUndefined();
  });

  it('says plainly when neither the Service nor the Deployment exists', async () => {
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', {});
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe(
      'No running pods for demo/mcp-demo: neither Service demo/mcp-demo nor a Deployment of that name exists'
    );
  });

  it('does not call a Service without a selector missing (default/kubernetes): it has no pods to judge', async () => {
    // Prepare
    const kubernetes = { ...service(), spec: { ...service().spec, selector: undefined } };
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', { services: [kubernetes] });
    // Assess
    expect(out.verdict).toBe('inconclusive');
    expect(out.summary).toBe(
      'Service demo/mcp-demo has no selector: it selects no pods (its endpoints are managed by hand), so there are none to judge'
    );
    expect(out.summary).not.toContain('exist');
  });

  it.each([
    ['crashloop', 'crashing'],
    ['oom', 'oom'],
    ['image-pull', 'image_pull'],
    ['not-ready', 'not_ready'],
    ['creating', 'starting']
  ] as const)('signs a %s fault as %s, the same through the cycle, with commands naming the pod', async (shape, symptom) => {
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', cluster([shape]));
    // Assess
    expect(out.symptom).toBe(symptom);
    expect(out.commands).toEqual([
      'kubectl get pods -n demo -l app=mcp-demo -o wide',
      'kubectl describe pod -n demo mcp-demo-7d4b9c8f6-p0abc'
    ]);
  });

  it.each([
    ['not-ready', '0/1 pods of demo/mcp-demo are Ready: 1 Running but not Ready'],
    ['config-error', '0/1 pods of demo/mcp-demo are Ready: 1 CreateContainerConfigError (mcp-demo-7d4b9c8f6-p0abc)'],
    ['unschedulable', '0/1 pods of demo/mcp-demo are Ready: 1 Unschedulable (mcp-demo-7d4b9c8f6-p0abc)'],
    ['creating', '0/1 pods of demo/mcp-demo are Ready: 1 ContainerCreating']
  ] as const)('reports %s as a problem with no automatic action', async (shape, summary) => {
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', cluster([shape]));
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe(summary);
    expect(out.recommendation).toBeUndefined();
  });

  it('stays healthy when an evicted pod was replaced, and mentions the leftover', async () => {
    // Prepare
    const c = { deployments: [deployment()], services: [service()], pods: [pod('old01', 'evicted'), pod('new01', 'ready')] };
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', c);
    // Assess
    expect(out.verdict).toBe('healthy');
    expect(out.summary).toBe('1/1 pods of demo/mcp-demo are Ready; 1 Failed pod left over (mcp-demo-7d4b9c8f6-old01)');
  });

  it('does not count a terminating pod as capacity', async () => {
    // Prepare
    const c = { deployments: [deployment()], services: [service()], pods: [pod('gone1', 'ready', { terminating: true })] };
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', c);
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toContain('No running pods');
  });

  it('is inconclusive, saying what was forbidden, when the API answers 403', async () => {
    // Prepare
    const kube = createFakeKube(healthyCluster());
    kube.failNext('listPods', new ForbiddenError('listing pods in demo failed: 403 pods is forbidden'));
    // Act
    const out = await runCheckOn(checkPodStatus, 'pod-status', kube);
    // Assess
    expect(out.verdict).toBe('inconclusive');
    expect(out.summary).toBe('forbidden: listing pods in demo failed: 403 pods is forbidden');
    expect(out.evidence[0]).toMatchObject({ reason: 'Forbidden' });
  });

  it('lets a TransientError propagate so the runtime answers 503 and Knative retries', async () => {
    // Prepare
    const kube = createFakeKube(healthyCluster());
    kube.failNext('readDeployment', new TransientError('reading deployment demo/mcp-demo failed: 503'));
    const ctx = await ctxFor(checkPodStatus, { kube });
    // Act
    const run = checkPodStatus.handle(request(['pod-status']), ctx);
    // Assess
    await expect(run).rejects.toBeInstanceOf(TransientError);
  });

  describe('verify phase', () => {
    const env = { CORTEX_CHECK_WAIT_MS: '200', CORTEX_CHECK_POLL_MS: '5' };

    it('waits until the pods are Ready and answers healthy', async () => {
      // Prepare
      const kube = createFakeKube(cluster(['creating']));
      const list = kube.listPods;
      let calls = 0;
      kube.listPods = async (...args) => {
        if (++calls === 3) kube.cluster.pods = [pod('p0abc', 'ready')];
        return list(...args);
      };
      // Act
      const out = await runCheckOn(checkPodStatus, 'pod-status', kube, {
        phase: 'verify',
        deadline: '2026-11-27T10:00:30.000Z',
        env
      });
      // Assess
      expect(out).toMatchObject({ phase: 'verify', verdict: 'healthy', summary: '1/1 pods of demo/mcp-demo are Ready' });
      expect(calls).toBe(3);
    });

    it('gives up after the configured wait and says it waited', async () => {
      // Prepare
      const kube = createFakeKube(cluster(['crashloop']));
      const list = kube.listPods;
      let calls = 0;
      kube.listPods = async (...args) => (calls++, list(...args));
      // Act
      const out = await runCheckOn(checkPodStatus, 'pod-status', kube, { phase: 'verify', env });
      // Assess
      expect(out.verdict).toBe('problem');
      expect(out.summary).toMatch(/ \(still after waiting \d+s\)$/);
      // 200 ms of wait at a 5 ms poll: the probe count is bounded even though the fake clock stands still
      expect(calls).toBe(41);
    });

    it('does not call pods healthy while the rollout is not done; reports the counts verification compares', async () => {
      // Prepare: the Deployment moved to generation 3 and its controller has not updated any pod yet
      const kube = createFakeKube(cluster(['ready']));
      const d = kube.cluster.deployments[0]!;
      d.metadata!.generation = 3;
      d.status = { ...d.status, observedGeneration: 3, replicas: 1, updatedReplicas: 0 };
      const list = kube.listPods;
      let calls = 0;
      kube.listPods = async (...args) => {
        if (++calls === 3) d.status = { ...d.status, updatedReplicas: 1 };
        return list(...args);
      };
      // Act
      const out = await runCheckOn(checkPodStatus, 'pod-status', kube, { phase: 'verify', env });
      // Assess
      expect(out.verdict).toBe('healthy');
      // Each look reads the Deployment before its pods: the rollout done during the third shows in the fourth.
      expect(calls).toBe(4);
      expect(out.observed).toEqual({ ready: 1, faulty: 0 });
    });

    it('a rollout that never completes is no verdict: inconclusive, saying why', async () => {
      // Prepare
      const kube = createFakeKube(cluster(['ready']));
      const d = kube.cluster.deployments[0]!;
      d.status = { ...d.status, observedGeneration: d.metadata!.generation, replicas: 2, updatedReplicas: 1 };
      // Act
      const out = await runCheckOn(checkPodStatus, 'pod-status', kube, { phase: 'verify', env });
      // Assess
      expect(out.verdict).toBe('inconclusive');
      expect(out.summary).toMatch(/but the rollout is not done: 1 old replicas are still terminating/);
    });

    it('looks only once in the diagnose phase', async () => {
      // Prepare
      const kube = createFakeKube(cluster(['creating']));
      const list = kube.listPods;
      let calls = 0;
      kube.listPods = async (...args) => (calls++, list(...args));
      // Act
      const out = await runCheckOn(checkPodStatus, 'pod-status', kube, { env });
      // Assess
      expect(out.verdict).toBe('problem');
      expect(calls).toBe(1);
    });
  });
});
