import { describe, expect, it } from 'vitest';
import checkResourceLimits from '../../../../functions/check-resource-limits/index.js';
import { ctxFor } from '../../../fakes/ctx.js';
import { createFakeKube } from '../../../fakes/kube.js';
import { deployment, healthyCluster, pod, request, runCheckOn, service } from '../../../helpers/check-cluster.js';

describe('Function: check-resource-limits', () => {
  it('returns no intents when the request does not list resource-limits', async () => {
    // Prepare
    const ctx = await ctxFor(checkResourceLimits, { kube: createFakeKube(healthyCluster()) });
    // Act
    const intents = await checkResourceLimits.handle(request(['pod-status']), ctx);
    // Assess
    expect(intents).toEqual([]);
  });

  it('is healthy with no OOMKilled container, listing limits and requests', async () => {
    // Act
    const out = await runCheckOn(checkResourceLimits, 'resource-limits', healthyCluster());
    // Assess
    expect(out.verdict).toBe('healthy');
    expect(out.summary).toBe('No OOMKilled containers in 1 pod of demo/mcp-demo');
    expect(out.evidence).toContainEqual({
      subject: 'container server',
      detail: 'requests cpu 50m, memory 64Mi; limits memory 128Mi'
    });
  });

  it('recommends report_oom with double the limit when a container was OOMKilled', async () => {
    // Prepare
    const c = { deployments: [deployment()], services: [service()], pods: [pod('oom01', 'oom'), pod('oom02', 'oom')] };
    // Act
    const out = await runCheckOn(checkResourceLimits, 'resource-limits', c);
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe(
      'Container server of demo/mcp-demo was OOMKilled in 2 pods (mcp-demo-7d4b9c8f6-oom01, mcp-demo-7d4b9c8f6-oom02, 6 restarts) with memory limit 128Mi; suggested limit 256Mi'
    );
    expect(out.recommendation).toEqual({
      action: 'report_oom',
      reason: 'server ran out of memory with memory limit 128Mi: double the current limit 128Mi',
      params: {
        container: 'server',
        currentLimit: '128Mi',
        suggestedLimit: '256Mi',
        pods: ['mcp-demo-7d4b9c8f6-oom01', 'mcp-demo-7d4b9c8f6-oom02'],
        deployment: 'mcp-demo'
      }
    });
  });

  it.each([
    [{ memoryLimit: null, memoryRequest: '100Mi' }, '200Mi', undefined],
    [{ memoryLimit: null, memoryRequest: null }, '512Mi', undefined],
    [{ memoryLimit: '1Gi' }, '2048Mi', '1Gi'],
    [{ memoryLimit: '200M' }, '382Mi', '200M']
  ])('suggests a limit from %j: %s', async (resources, suggested, current) => {
    // Prepare
    const c = { deployments: [deployment(resources)], services: [service()], pods: [pod('oom01', 'oom')] };
    // Act
    const out = await runCheckOn(checkResourceLimits, 'resource-limits', c);
    // Assess
    expect(out.recommendation?.params).toEqual({
      container: 'server',
      suggestedLimit: suggested,
      pods: ['mcp-demo-7d4b9c8f6-oom01'],
      deployment: 'mcp-demo',
      ...(current ? { currentLimit: current } : {})
    });
  });

  it('notes an exit 137 that was not the OOM killer without calling it a problem', async () => {
    // Prepare
    const p = pod('kill1', 'crashloop');
    p.status!.containerStatuses![0]!.lastState = { terminated: { exitCode: 137, reason: 'Error' } };
    // Act
    const out = await runCheckOn(checkResourceLimits, 'resource-limits', {
      deployments: [deployment()],
      services: [service()],
      pods: [p]
    });
    // Assess
    expect(out.verdict).toBe('healthy');
    expect(out.summary).toBe(
      'No OOMKilled containers in 1 pod of demo/mcp-demo; 1 container killed with exit 137 but not for memory (mcp-demo-7d4b9c8f6-kill1/server)'
    );
  });

  it('leaves evicted pods out of the exit 137 note', async () => {
    // Prepare
    const c = { deployments: [deployment()], services: [service()], pods: [pod('evict', 'evicted'), pod('fresh', 'ready')] };
    // Act
    const out = await runCheckOn(checkResourceLimits, 'resource-limits', c);
    // Assess
    expect(out).toMatchObject({ verdict: 'healthy', summary: 'No OOMKilled containers in 2 pods of demo/mcp-demo' });
  });

  it('is inconclusive with neither pods nor a pod template', async () => {
    // Act
    const out = await runCheckOn(checkResourceLimits, 'resource-limits', { services: [service()] });
    // Assess
    expect(out).toMatchObject({
      verdict: 'inconclusive',
      summary: 'No pods or pod template for demo/mcp-demo: no limits to look at'
    });
  });
});
