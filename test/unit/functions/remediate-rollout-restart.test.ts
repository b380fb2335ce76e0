import { describe, expect, it } from 'vitest';
import rolloutRestart from '../../../functions/remediate-rollout-restart/index.js';
import { createFakeClock } from '../../fakes/ctx.js';
import { cluster, deployment, runRemediation } from '../../helpers/remediation-cluster.js';

const PATCH = {
  spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-27T10:00:07Z' } } } }
};

describe('Function: remediate-rollout-restart', () => {
  it('sets the restartedAt annotation with a strategic-merge patch, like kubectl rollout restart', async () => {
    // Prepare
    const kube = cluster(deployment({ replicas: 2 }));
    const clock = createFakeClock('2026-11-27T10:00:07.345Z');
    // Act
    const out = await runRemediation(rolloutRestart, 'rollout_restart', kube, { clock });
    // Assess
    expect(out.outcome).toBe('applied');
    expect(kube.writes).toEqual([
      { verb: 'patch:strategic', namespace: 'demo', name: 'deployments/api', body: PATCH, dryRun: false }
    ]);
    expect(kube.cluster.deployments[0]?.spec?.template?.metadata?.annotations).toEqual({
      'kubectl.kubernetes.io/restartedAt': '2026-11-27T10:00:07Z'
    });
    expect(kube.cluster.deployments[0]?.spec?.template?.spec?.containers).toHaveLength(1);
    expect(out.summary).toBe('restarted deployment demo/api: its pods are replaced by a rolling update');
  });

  it.each([
    [
      'a generation not observed yet',
      { generation: 3, status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2 } },
      /generation 3 is not observed yet/
    ],
    [
      'too few updated replicas',
      { status: { observedGeneration: 2, replicas: 2, updatedReplicas: 1 } },
      /1 of 2 replicas are updated/
    ],
    [
      'old replicas still terminating',
      { status: { observedGeneration: 2, replicas: 3, updatedReplicas: 2 } },
      /1 old replicas are still terminating/
    ]
  ])('is a noop while a rollout is in progress: %s', async (_n, o, reason) => {
    // Prepare
    const kube = cluster(deployment({ replicas: 2, ...o }));
    // Act
    const out = await runRemediation(rolloutRestart, 'rollout_restart', kube);
    // Assess
    expect(out.outcome).toBe('noop');
    expect(out.summary).toMatch(reason);
    expect(kube.writes).toEqual([]);
  });

  it('is a noop for a Deployment scaled to zero', async () => {
    // Prepare
    const kube = cluster(deployment({ replicas: 0 }), []);
    // Act
    const out = await runRemediation(rolloutRestart, 'rollout_restart', kube);
    // Assess
    expect(out).toMatchObject({
      outcome: 'noop',
      summary: 'deployment demo/api is scaled to zero: there are no pods to restart'
    });
  });

  it('leaves a paused Deployment to a human', async () => {
    // Prepare
    const kube = cluster(deployment({ paused: true }));
    // Act
    const out = await runRemediation(rolloutRestart, 'rollout_restart', kube);
    // Assess
    expect(out.outcome).toBe('manual');
    expect(out.manualSteps[0]).toBe('kubectl rollout resume deployment/api -n demo');
    expect(kube.writes).toEqual([]);
  });

  it('on a dry-run request patches as a server-side dry run and persists nothing', async () => {
    // Prepare
    const kube = cluster(deployment());
    // Act
    const out = await runRemediation(rolloutRestart, 'rollout_restart', kube, { dryRun: true });
    // Assess
    expect(out.outcome).toBe('manual');
    expect(kube.writes.map((w) => [w.verb, w.dryRun])).toEqual([['patch:strategic', true]]);
    expect(kube.cluster.deployments[0]?.spec?.template?.metadata?.annotations).toBeUndefined();
    expect(out.changes[0]).toMatchObject({ verb: 'patch', object: 'deployments/api', dryRun: true });
    expect(out.manualSteps).toEqual([
      'kubectl rollout restart deployment/api -n demo',
      'kubectl rollout status deployment/api -n demo'
    ]);
  });
});
