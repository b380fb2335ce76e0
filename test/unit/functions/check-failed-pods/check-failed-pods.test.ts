import { describe, expect, it } from 'vitest';
import checkFailedPods from '../../../../functions/check-failed-pods/index.js';
import { ForbiddenError, TransientError } from '../../../../shared/runtime/errors.js';
import { ctxFor } from '../../../fakes/ctx.js';
import { createFakeKube } from '../../../fakes/kube.js';
import { deployment, healthyCluster, pod, request, runCheckOn, service } from '../../../helpers/check-cluster.js';

describe('Function: check-failed-pods', () => {
  it('returns no intents when the request does not list failed-pods', async () => {
    // Prepare
    const ctx = await ctxFor(checkFailedPods, { kube: createFakeKube(healthyCluster()) });
    // Act
    const intents = await checkFailedPods.handle(request(['events']), ctx);
    // Assess
    expect(intents).toEqual([]);
  });

  it('is healthy without Failed or Evicted pods', async () => {
    // Act
    const out = await runCheckOn(checkFailedPods, 'failed-pods', healthyCluster());
    // Assess
    expect(out).toMatchObject({
      verdict: 'healthy',
      summary: 'No Failed or Evicted pods among 1 pod of demo/mcp-demo',
      evidence: []
    });
  });

  it('recommends cleanup_failed_pods for Evicted and Failed pods, naming them', async () => {
    // Prepare
    const c = {
      deployments: [deployment()],
      services: [service()],
      pods: [pod('ev001', 'evicted'), pod('fl001', 'failed'), pod('ok001', 'ready')]
    };
    // Act
    const out = await runCheckOn(checkFailedPods, 'failed-pods', c);
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe(
      '2 pods of demo/mcp-demo are left over (1 Evicted, 1 Failed): mcp-demo-7d4b9c8f6-ev001, mcp-demo-7d4b9c8f6-fl001'
    );
    expect(out.recommendation).toEqual({
      action: 'cleanup_failed_pods',
      reason: 'delete 2 finished pods (1 Evicted, 1 Failed) that hold no traffic',
      params: { pods: ['mcp-demo-7d4b9c8f6-ev001', 'mcp-demo-7d4b9c8f6-fl001'] }
    });
    expect(out.evidence[0]).toMatchObject({ subject: 'pod/mcp-demo-7d4b9c8f6-ev001', reason: 'Evicted' });
    expect(out.evidence[0]!.detail).toContain('The node was low on resource: memory.');
  });

  it('is inconclusive when forbidden and propagates transient errors', async () => {
    // Prepare
    const forbidden = createFakeKube(healthyCluster());
    forbidden.failNext('listPods', new ForbiddenError('listing pods in demo failed: 403'));
    const flaky = createFakeKube(healthyCluster());
    flaky.failNext('readService', new TransientError('reading service failed: 503'));
    // Act
    const out = await runCheckOn(checkFailedPods, 'failed-pods', forbidden);
    const failing = checkFailedPods.handle(request(['failed-pods']), await ctxFor(checkFailedPods, { kube: flaky }));
    // Assess
    expect(out.verdict).toBe('inconclusive');
    await expect(failing).rejects.toBeInstanceOf(TransientError);
  });
});
