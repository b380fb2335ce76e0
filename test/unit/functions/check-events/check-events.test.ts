import { describe, expect, it } from 'vitest';
import checkEvents from '../../../../functions/check-events/index.js';
import { isAboutWorkload } from '../../../../functions/check-events/rules.js';
import { ForbiddenError } from '../../../../shared/runtime/errors.js';
import { ctxFor } from '../../../fakes/ctx.js';
import { createFakeKube } from '../../../fakes/kube.js';
import { healthyCluster, kubeEvent, request, runCheckOn } from '../../../helpers/check-cluster.js';

const POD = 'mcp-demo-7d4b9c8f6-x1y2z';

describe('Function: check-events', () => {
  it('returns no intents when the request does not list events', async () => {
    // Prepare
    const ctx = await ctxFor(checkEvents, { kube: createFakeKube(healthyCluster()) });
    // Act
    const intents = await checkEvents.handle(request(['pod-status']), ctx);
    // Assess
    expect(intents).toEqual([]);
  });

  it('is healthy with no recent Warning events', async () => {
    // Prepare
    const c = { ...healthyCluster(), events: [kubeEvent({ kind: 'Pod', name: POD, reason: 'Pulled', type: 'Normal' })] };
    // Act
    const out = await runCheckOn(checkEvents, 'events', c);
    // Assess
    expect(out).toMatchObject({
      verdict: 'healthy',
      summary: 'No Warning events for demo/mcp-demo in the last 15 min',
      evidence: []
    });
  });

  it('groups recent Warning events of the workload by reason, with counts and the latest message', async () => {
    // Prepare
    const events = [
      kubeEvent({
        kind: 'Pod',
        name: POD,
        reason: 'BackOff',
        message: 'Back-off restarting failed container server in pod x',
        count: 7,
        minutesAgo: 2
      }),
      kubeEvent({
        kind: 'Pod',
        name: 'mcp-demo-7d4b9c8f6-a2b3c',
        reason: 'BackOff',
        message: 'Back-off restarting failed container server (latest)',
        count: 3,
        minutesAgo: 1
      }),
      kubeEvent({
        kind: 'Pod',
        name: POD,
        reason: 'Unhealthy',
        message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
        count: 4
      }),
      kubeEvent({
        kind: 'ReplicaSet',
        name: 'mcp-demo-7d4b9c8f6',
        reason: 'FailedCreate',
        message: 'pods "mcp-demo-7d4b9c8f6-" is forbidden: exceeded quota'
      }),
      kubeEvent({ kind: 'Deployment', name: 'mcp-demo', reason: 'ProgressDeadlineExceeded' }),
      kubeEvent({ kind: 'Pod', name: POD, reason: 'BackOff', count: 50, minutesAgo: 20 }),
      kubeEvent({ kind: 'Pod', name: 'mcp-tools-5f6d7c8b9-q1w2e', reason: 'BackOff', count: 9 }),
      kubeEvent({ kind: 'Pod', name: 'mcp-demo-extra-5f6d7c8b9-q1w2e', reason: 'FailedMount', count: 9 })
    ];
    // Act
    const out = await runCheckOn(checkEvents, 'events', { ...healthyCluster(), events });
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe(
      '16 Warning events for demo/mcp-demo in the last 15 min: BackOff ×10, Unhealthy ×4, FailedCreate ×1, ProgressDeadlineExceeded ×1'
    );
    expect(out.evidence[0]).toEqual({
      subject: `pod/mcp-demo-7d4b9c8f6-a2b3c, pod/${POD}`,
      detail: 'Back-off restarting failed container server (latest)',
      reason: 'BackOff',
      count: 10
    });
    expect(out.recommendation).toBeUndefined();
  });

  it('reads eventTime when an event has no lastTimestamp (events.k8s.io style)', async () => {
    // Prepare
    const e = kubeEvent({
      kind: 'Pod',
      name: POD,
      reason: 'FailedScheduling',
      message: '0/1 nodes are available: 1 Insufficient memory.'
    });
    delete e.lastTimestamp;
    delete e.firstTimestamp;
    e.eventTime = new Date('2026-11-27T09:58:00.000Z');
    // Act
    const out = await runCheckOn(checkEvents, 'events', { ...healthyCluster(), events: [e] });
    // Assess
    expect(out.summary).toBe('1 Warning event for demo/mcp-demo in the last 15 min: FailedScheduling ×1');
  });

  it.each([
    ['Deployment', 'mcp-demo', true],
    ['ReplicaSet', 'mcp-demo-7d4b9c8f6', true],
    ['Pod', 'mcp-demo-7d4b9c8f6-x1y2z', true],
    ['Service', 'mcp-demo', true],
    ['Endpoints', 'mcp-demo', true],
    ['EndpointSlice', 'mcp-demo-k2j3h', true],
    ['Pod', 'mcp-demo-extra-7d4b9c8f6-x1y2z', false],
    ['ReplicaSet', 'mcp-demo-v2', true],
    ['Pod', 'mcp-demo-7d4b9c8f6-X1Y2Z', false],
    ['Deployment', 'mcp-tools', false],
    ['Node', 'sim-node-1', false]
  ])('matches %s %s to the workload: %s', (kind, name, expected) => {
    // Act
    const about = isAboutWorkload(kubeEvent({ kind, name, reason: 'X' }), { service: 'mcp-demo', deployment: 'mcp-demo' });
    // Assess
    expect(about).toBe(expected);
  });

  it('is inconclusive when listing events is forbidden', async () => {
    // Prepare
    const kube = createFakeKube(healthyCluster());
    kube.failNext('listEvents', new ForbiddenError('listing events in demo failed: 403 events is forbidden'));
    // Act
    const out = await runCheckOn(checkEvents, 'events', kube);
    // Assess
    expect(out).toMatchObject({
      verdict: 'inconclusive',
      summary: 'forbidden: listing events in demo failed: 403 events is forbidden'
    });
  });
});
