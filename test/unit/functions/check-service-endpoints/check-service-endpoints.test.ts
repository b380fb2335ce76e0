import { describe, expect, it } from 'vitest';
import checkServiceEndpoints from '../../../../functions/check-service-endpoints/index.js';
import { ForbiddenError } from '../../../../shared/runtime/errors.js';
import { ctxFor } from '../../../fakes/ctx.js';
import { createFakeKube } from '../../../fakes/kube.js';
import {
  deployment,
  endpoints,
  healthyCluster,
  pod,
  request,
  runCheckOn,
  service,
  slice
} from '../../../helpers/check-cluster.js';

describe('Function: check-service-endpoints', () => {
  it('returns no intents when the request does not list service-endpoints', async () => {
    // Prepare
    const ctx = await ctxFor(checkServiceEndpoints, { kube: createFakeKube(healthyCluster()) });
    // Act
    const intents = await checkServiceEndpoints.handle(request(['pod-status']), ctx);
    // Assess
    expect(intents).toEqual([]);
  });

  it('is healthy when every Ready pod is a ready endpoint', async () => {
    // Act
    const out = await runCheckOn(checkServiceEndpoints, 'service-endpoints', healthyCluster());
    // Assess
    expect(out.verdict).toBe('healthy');
    expect(out.summary).toBe('Service demo/mcp-demo has 1 ready endpoint for 1 Ready pod');
    expect(out.evidence[0]).toEqual({
      subject: 'service/demo/mcp-demo',
      detail: 'selector app=mcp-demo; ports 80→3000/TCP'
    });
  });

  it('says plainly that a missing Service does not exist', async () => {
    // Act
    const out = await runCheckOn(checkServiceEndpoints, 'service-endpoints', { deployments: [deployment()] });
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe('Service demo/mcp-demo does not exist');
    expect(out.recommendation).toBeUndefined();
  });

  it('recommends rollout_restart when pods are Ready but no endpoint is (stale endpoints)', async () => {
    // Prepare
    const p = pod('stale', 'ready');
    const c = { services: [service()], pods: [p], endpoints: [endpoints([])], endpointSlices: [slice([])] };
    // Act
    const out = await runCheckOn(checkServiceEndpoints, 'service-endpoints', c);
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe(
      'Service demo/mcp-demo has no ready endpoints although 1 selected pod is Ready (mcp-demo-7d4b9c8f6-stale)'
    );
    expect(out.recommendation).toMatchObject({ action: 'rollout_restart', params: {} });
  });

  it('uses the Endpoints object when there are no EndpointSlices', async () => {
    // Prepare
    const p = pod('noslc', 'ready');
    const c = { services: [service()], pods: [p], endpoints: [endpoints([])] };
    // Act
    const out = await runCheckOn(checkServiceEndpoints, 'service-endpoints', c);
    // Assess
    expect(out.recommendation?.action).toBe('rollout_restart');
    expect(out.evidence.find((e) => e.subject === 'endpointslices of demo/mcp-demo')?.detail).toBe('none');
  });

  it('reports not-ready pods as not-ready endpoints, with no automatic action', async () => {
    // Prepare
    const p = pod('nrdy1', 'not-ready');
    const c = { services: [service()], pods: [p], endpoints: [endpoints([], [p])], endpointSlices: [slice([], [p])] };
    // Act
    const out = await runCheckOn(checkServiceEndpoints, 'service-endpoints', c);
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe('Service demo/mcp-demo has no ready endpoints: 0/1 selected pods are Ready');
    expect(out.recommendation).toBeUndefined();
    expect(out.evidence.find((e) => e.subject === 'endpoints/demo/mcp-demo')?.detail).toContain('not ready: 10.244.');
  });

  it('reports a selector that matches no pods', async () => {
    // Prepare
    const c = {
      services: [service({ selector: { app: 'mcp-demo-v2' } })],
      pods: [pod('a1b2c', 'ready')],
      endpoints: [endpoints([])]
    };
    // Act
    const out = await runCheckOn(checkServiceEndpoints, 'service-endpoints', c);
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe('Service demo/mcp-demo selects no running pods (selector app=mcp-demo-v2)');
  });

  it('reports Ready pods missing from the endpoints when others are there', async () => {
    // Prepare
    const [a, b] = [pod('aaaaa', 'ready'), pod('bbbbb', 'ready')];
    const c = { services: [service()], pods: [a!, b!], endpointSlices: [slice([a!])] };
    // Act
    const out = await runCheckOn(checkServiceEndpoints, 'service-endpoints', c);
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe(
      'Service demo/mcp-demo: 1 of 2 Ready pods missing from its endpoints (mcp-demo-7d4b9c8f6-bbbbb)'
    );
  });

  it('reports endpoints that point at no selected pod', async () => {
    // Prepare
    const [live, gone] = [pod('alive', 'ready'), pod('gone0', 'ready', { ip: '10.244.9.9' })];
    const c = { services: [service()], pods: [live!], endpointSlices: [slice([live!, gone!])] };
    // Act
    const out = await runCheckOn(checkServiceEndpoints, 'service-endpoints', c);
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe(
      'Service demo/mcp-demo routes to 1 address of no selected pod (10.244.9.9 (pod mcp-demo-7d4b9c8f6-gone0))'
    );
  });

  it('is inconclusive when reading endpoints is forbidden', async () => {
    // Prepare
    const kube = createFakeKube(healthyCluster());
    kube.failNext('readEndpoints', new ForbiddenError('reading endpoints demo/mcp-demo failed: 403 forbidden'));
    // Act
    const out = await runCheckOn(checkServiceEndpoints, 'service-endpoints', kube);
    // Assess
    expect(out).toMatchObject({
      verdict: 'inconclusive',
      summary: 'forbidden: reading endpoints demo/mcp-demo failed: 403 forbidden'
    });
  });

  it('waits in the verify phase until the endpoints catch up', async () => {
    // Prepare
    const p = pod('later', 'ready');
    const kube = createFakeKube({ services: [service()], pods: [p], endpointSlices: [slice([])] });
    const list = kube.listEndpointSlices;
    let calls = 0;
    kube.listEndpointSlices = async (...args) => {
      if (++calls === 2) kube.cluster.endpointSlices = [slice([p])];
      return list(...args);
    };
    // Act
    const out = await runCheckOn(checkServiceEndpoints, 'service-endpoints', kube, {
      phase: 'verify',
      env: { CORTEX_CHECK_WAIT_MS: '200', CORTEX_CHECK_POLL_MS: '5' }
    });
    // Assess
    expect(out).toMatchObject({ verdict: 'healthy', phase: 'verify' });
    expect(calls).toBe(2);
  });

  it('does not wait for a Service that does not exist', async () => {
    // Prepare
    const kube = createFakeKube({});
    const read = kube.readService;
    let calls = 0;
    kube.readService = async (...args) => (calls++, read(...args));
    // Act
    const out = await runCheckOn(checkServiceEndpoints, 'service-endpoints', kube, {
      phase: 'verify',
      env: { CORTEX_CHECK_WAIT_MS: '200', CORTEX_CHECK_POLL_MS: '5' }
    });
    // Assess
    expect(out.summary).toBe('Service demo/mcp-demo does not exist');
    expect(calls).toBe(1);
  });
});
