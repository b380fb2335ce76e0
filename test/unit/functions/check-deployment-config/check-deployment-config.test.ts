import { describe, expect, it } from 'vitest';
import checkDeploymentConfig from '../../../../functions/check-deployment-config/index.js';
import { ForbiddenError } from '../../../../shared/runtime/errors.js';
import { ctxFor } from '../../../fakes/ctx.js';
import { createFakeKube } from '../../../fakes/kube.js';
import { APP, deployment, healthyCluster, NS, request, runCheckOn, service } from '../../../helpers/check-cluster.js';

const replicaSet = (name: string, replicas: number, ready: number) => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name,
    namespace: NS,
    labels: { app: APP },
    annotations: { 'deployment.kubernetes.io/revision': '3' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: APP, uid: 'uid-deploy', controller: true }]
  },
  spec: { replicas, selector: { matchLabels: { app: APP } } },
  status: { replicas, readyReplicas: ready }
});

describe('Function: check-deployment-config', () => {
  it('returns no intents when the request does not list deployment-config', async () => {
    // Prepare
    const ctx = await ctxFor(checkDeploymentConfig, { kube: createFakeKube(healthyCluster()) });
    // Act
    const intents = await checkDeploymentConfig.handle(request(['pod-status']), ctx);
    // Assess
    expect(intents).toEqual([]);
  });

  it('is healthy when the Deployment has all replicas ready and available, naming its image', async () => {
    // Prepare
    const c = { ...healthyCluster(), replicaSets: [replicaSet(`${APP}-7d4b9c8f6`, 1, 1)] };
    // Act
    const out = await runCheckOn(checkDeploymentConfig, 'deployment-config', c);
    // Assess
    expect(out.verdict).toBe('healthy');
    expect(out.summary).toBe(
      'Deployment demo/mcp-demo: 1/1 replicas ready, 1 available; images server=ghcr.io/cortex-demo/mcp-demo:1.4.2'
    );
    expect(out.evidence).toContainEqual({
      subject: `replicaset/${APP}-7d4b9c8f6`,
      detail: '1 desired, 1 ready, revision 3',
      count: 1
    });
  });

  const LAST_APPLIED = {
    'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ kind: 'Deployment', spec: { replicas: 2 } })
  };
  const hpa = (min: number | undefined) => ({
    metadata: { name: 'mcp-demo-hpa', namespace: 'demo' },
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'mcp-demo' }, ...(min ? { minReplicas: min } : {}), maxReplicas: 9 }
  });
  const scaledDown = {
    metadata: { name: 'mcp-demo.1', namespace: 'demo' },
    type: 'Normal',
    reason: 'ScalingReplicaSet',
    involvedObject: { kind: 'Deployment', name: 'mcp-demo', namespace: 'demo' },
    message: 'Scaled down replica set mcp-demo-7d4b9c8f6 to 0 from 4',
    lastTimestamp: new Date('2026-11-27T09:58:00.000Z')
  };

  it.each([
    ['nothing known', {}, [], [], 1, 'default', 'the default: no earlier replica count is known'],
    [
      'the annotation',
      { 'cortex.dev/restore-replicas': '3' },
      [hpa(2)],
      [scaledDown],
      3,
      'annotation',
      'annotation cortex.dev/restore-replicas=3'
    ],
    [
      'an HPA minimum',
      LAST_APPLIED,
      [hpa(5)],
      [scaledDown],
      5,
      'hpa',
      'minReplicas 5 of HorizontalPodAutoscaler mcp-demo-hpa'
    ],
    [
      'an HPA without minReplicas',
      {},
      [hpa(undefined)],
      [],
      1,
      'hpa',
      'minReplicas 1 of HorizontalPodAutoscaler mcp-demo-hpa'
    ],
    [
      'the last-applied manifest',
      LAST_APPLIED,
      [],
      [scaledDown],
      2,
      'last-applied',
      'spec.replicas 2 in its kubectl.kubernetes.io/last-applied-configuration'
    ],
    [
      'the scale-down event',
      { 'cortex.dev/restore-replicas': 'lots' },
      [],
      [scaledDown],
      4,
      'scaling-event',
      'the event "Scaled down replica set mcp-demo-7d4b9c8f6 to 0 from 4"'
    ],
    [
      'a bad annotation and nothing else',
      { 'cortex.dev/restore-replicas': '0' },
      [],
      [],
      1,
      'default',
      'the default: no earlier replica count is known (ignored cortex.dev/restore-replicas="0")'
    ]
  ] as const)(
    'recommends scale_up when scaled to zero, restoring from %s',
    async (_what, annotations, hpas, events, replicas, source, detail) => {
      // Prepare
      const d = deployment({ replicas: 0, annotations: { ...annotations }, status: { observedGeneration: 1, replicas: 0 } });
      // Act
      const out = await runCheckOn(checkDeploymentConfig, 'deployment-config', {
        deployments: [d],
        services: [service()],
        horizontalPodAutoscalers: [...hpas],
        events: [...events] as never[]
      });
      // Assess
      expect(out.verdict).toBe('problem');
      expect(out.summary).toBe('Deployment demo/mcp-demo is scaled to zero (0 replicas desired)');
      expect(out.recommendation).toEqual({
        action: 'scale_up',
        reason: `no replicas: restore ${replicas} (${detail})`,
        params: { replicas, source, sourceDetail: detail }
      });
    }
  );

  it('carries the number of the last scale to zero in its findings', async () => {
    // Prepare
    const d = deployment({ replicas: 0, status: { observedGeneration: 1, replicas: 0 } });
    // Act
    const out = await runCheckOn(checkDeploymentConfig, 'deployment-config', {
      deployments: [d],
      services: [service()],
      events: [scaledDown] as never[]
    });
    // Assess
    expect(out.evidence).toContainEqual({
      subject: 'deployment/mcp-demo event ScalingReplicaSet',
      detail: 'Scaled down replica set mcp-demo-7d4b9c8f6 to 0 from 4',
      reason: 'ScalingReplicaSet',
      count: 4
    });
    expect(out.symptom).toBe('scaled_to_zero');
  });

  it("asks the API server for the Deployment's own scaling events, not the namespace's", async () => {
    // Prepare: a neighbour's more recent scale to zero is in the namespace too
    const d = deployment({ replicas: 0, status: { observedGeneration: 1, replicas: 0 } });
    const neighbour = {
      ...scaledDown,
      metadata: { name: 'other.1', namespace: 'demo' },
      involvedObject: { kind: 'Deployment', name: 'other', namespace: 'demo' },
      message: 'Scaled down replica set other-5f6d to 0 from 9'
    };
    const kube = createFakeKube({ deployments: [d], services: [service()], events: [scaledDown, neighbour] as never[] });
    const asked: (string | undefined)[] = [];
    const list = kube.listEvents.bind(kube);
    kube.listEvents = (ns, opts) => (asked.push(opts?.fieldSelector), list(ns, opts));
    // Act
    const out = await runCheckOn(checkDeploymentConfig, 'deployment-config', kube);
    // Assess
    expect(asked).toEqual(['reason=ScalingReplicaSet,involvedObject.kind=Deployment,involvedObject.name=mcp-demo']);
    expect(out.evidence.find((e) => e.reason === 'ScalingReplicaSet')?.count).toBe(4);
  });

  it('reports a paused rollout', async () => {
    // Act
    const out = await runCheckOn(checkDeploymentConfig, 'deployment-config', {
      deployments: [deployment({ paused: true })],
      services: [service()]
    });
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe('Deployment demo/mcp-demo is paused: rollouts do not progress');
    expect(out.recommendation).toBeUndefined();
  });

  it('reports ProgressDeadlineExceeded and Available=False with their reasons', async () => {
    // Prepare
    const d = deployment({
      status: {
        replicas: 1,
        readyReplicas: 0,
        availableReplicas: 0,
        conditions: [
          {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.'
          },
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "mcp-demo-7d4b9c8f6" has timed out progressing.'
          }
        ]
      }
    });
    // Act
    const out = await runCheckOn(checkDeploymentConfig, 'deployment-config', { deployments: [d], services: [service()] });
    // Assess
    expect(out.summary).toBe(
      'Deployment demo/mcp-demo: rollout stuck: ProgressDeadlineExceeded; not available (MinimumReplicasUnavailable); 0/1 replicas ready'
    );
    expect(out.evidence).toContainEqual({
      subject: 'deployment/mcp-demo condition Progressing',
      detail: 'False ProgressDeadlineExceeded: ReplicaSet "mcp-demo-7d4b9c8f6" has timed out progressing.',
      reason: 'ProgressDeadlineExceeded'
    });
  });

  it('reports a selector mismatch between the Service and the Deployment', async () => {
    // Prepare
    const d = deployment({ labels: { app: 'mcp-demo-v2' } });
    // Act
    const out = await runCheckOn(checkDeploymentConfig, 'deployment-config', { deployments: [d], services: [service()] });
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe(
      'Deployment demo/mcp-demo: selector mismatch: Service demo/mcp-demo selects app=mcp-demo, but the pods of Deployment mcp-demo are labelled app=mcp-demo-v2'
    );
    expect(out.evidence.at(-1)).toMatchObject({ reason: 'SelectorMismatch' });
  });

  it('says plainly when there is no Deployment and no Service', async () => {
    // Act
    const out = await runCheckOn(checkDeploymentConfig, 'deployment-config', {});
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe(
      'No Deployment behind demo/mcp-demo: neither Service demo/mcp-demo nor a Deployment named mcp-demo exists'
    );
  });

  it('is inconclusive when reading the Deployment is forbidden', async () => {
    // Prepare
    const kube = createFakeKube(healthyCluster());
    kube.failNext('readDeployment', new ForbiddenError('reading deployment demo/mcp-demo failed: 403 forbidden'));
    // Act
    const out = await runCheckOn(checkDeploymentConfig, 'deployment-config', kube);
    // Assess
    expect(out.verdict).toBe('inconclusive');
    expect(out.summary).toBe('forbidden: reading deployment demo/mcp-demo failed: 403 forbidden');
  });

  it("is inconclusive when the Deployment is not the Service's namesake and listing deployments is forbidden", async () => {
    // Prepare: the Service selects the pods of a Deployment of another name
    const cluster = healthyCluster();
    for (const d of cluster.deployments ?? []) d.metadata!.name = 'mcp-demo-v2';
    const kube = createFakeKube(cluster);
    kube.failNext('listDeployments', new ForbiddenError('listing deployments in demo failed: 403 forbidden'));
    // Act
    const out = await runCheckOn(checkDeploymentConfig, 'deployment-config', kube);
    // Assess
    expect(out.verdict).toBe('inconclusive');
    expect(out.summary).toBe('forbidden: listing deployments in demo failed: 403 forbidden');
  });
});
