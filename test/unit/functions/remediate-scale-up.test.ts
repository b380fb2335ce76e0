import { describe, expect, it } from 'vitest';
import scaleUp from '../../../functions/remediate-scale-up/index.js';
import { restoreCount } from '../../../functions/remediate-scale-up/plan.js';
import { cluster, deployment, runRemediation } from '../../helpers/remediation-cluster.js';

describe('Function: remediate-scale-up', () => {
  it('scales a Deployment at 0 replicas to 1 through the scale subresource', async () => {
    // Prepare
    const kube = cluster(deployment({ replicas: 0 }), []);
    // Act
    const out = await runRemediation(scaleUp, 'scale_up', kube);
    // Assess
    expect(out.outcome).toBe('applied');
    expect(kube.writes).toEqual([
      { verb: 'patch', namespace: 'demo', name: 'deployments/api/scale', body: { spec: { replicas: 1 } }, dryRun: false }
    ]);
    expect(kube.cluster.deployments[0]?.spec?.replicas).toBe(1);
    expect(out.summary).toBe(
      'scaled deployment demo/api from 0 to 1 replica (the default: no earlier replica count is known)'
    );
    expect(out.changes).toEqual([{ verb: 'patch', object: 'deployments/api/scale', detail: 'spec.replicas 0 → 1' }]);
  });

  it('restores the cortex.dev/restore-replicas annotation', async () => {
    // Prepare
    const kube = cluster(deployment({ replicas: 0, annotations: { 'cortex.dev/restore-replicas': '3' } }), []);
    // Act
    const out = await runRemediation(scaleUp, 'scale_up', kube, { params: { replicas: 1 } });
    // Assess
    expect(kube.cluster.deployments[0]?.spec?.replicas).toBe(3);
    expect(out.summary).toBe('scaled deployment demo/api from 0 to 3 replicas (annotation cortex.dev/restore-replicas=3)');
  });

  it('is a noop when the Deployment already wants replicas', async () => {
    // Prepare
    const kube = cluster(deployment({ replicas: 2 }));
    // Act
    const out = await runRemediation(scaleUp, 'scale_up', kube);
    // Assess
    expect(out.outcome).toBe('noop');
    expect(out.summary).toBe('deployment demo/api already wants 2 replicas (2 ready): nothing to scale');
    expect(kube.writes).toEqual([]);
  });

  it('in dry-run mode patches the scale as a dry run and reports manual with kubectl scale', async () => {
    // Prepare
    const kube = cluster(deployment({ replicas: 0 }), []);
    // Act
    const out = await runRemediation(scaleUp, 'scale_up', kube, { env: { CORTEX_REMEDIATION_MODE: 'dry-run' } });
    // Assess
    expect(out.outcome).toBe('manual');
    expect(kube.writes.map((w) => w.dryRun)).toEqual([true]);
    expect(kube.cluster.deployments[0]?.spec?.replicas).toBe(0);
    expect(out.changes).toEqual([
      { verb: 'patch', object: 'deployments/api/scale', detail: 'spec.replicas 0 → 1', dryRun: true }
    ]);
    expect(out.manualSteps[0]).toBe('kubectl scale deployment/api -n demo --replicas=1');
  });

  const applied = (replicas: number) => ({
    'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ kind: 'Deployment', spec: { replicas } })
  });
  const FROM_HPA = { replicas: 4, sourceDetail: 'minReplicas 4 of HorizontalPodAutoscaler api' };

  it.each([
    ['nothing', {}, {}, 1, 'the default: no earlier replica count is known'],
    [
      'the annotation, over the diagnosis',
      { 'cortex.dev/restore-replicas': '3' },
      FROM_HPA,
      3,
      'annotation cortex.dev/restore-replicas=3'
    ],
    [
      'the annotation, capped',
      { 'cortex.dev/restore-replicas': '50' },
      {},
      10,
      'annotation cortex.dev/restore-replicas=50, capped at 10'
    ],
    [
      'the diagnosis (an HPA), over the last-applied manifest',
      applied(2),
      FROM_HPA,
      4,
      'minReplicas 4 of HorizontalPodAutoscaler api'
    ],
    ['a count named without its source', {}, { replicas: 3 }, 3, 'replicas 3 named in the request'],
    ['the request, capped', {}, { replicas: 99 }, 10, 'replicas 99 named in the request, capped at 10'],
    [
      'the last-applied manifest as it reads now',
      applied(2),
      {},
      2,
      'spec.replicas 2 in its kubectl.kubernetes.io/last-applied-configuration'
    ],
    [
      'nothing usable',
      { 'cortex.dev/restore-replicas': 'two' },
      { replicas: 'x' },
      1,
      'the default: no earlier replica count is known (ignored cortex.dev/restore-replicas="two")'
    ]
  ] as const)('restoreCount from %s', (_what, annotations, params, replicas, source) => {
    // Act
    const result = restoreCount(deployment({ replicas: 0, annotations: { ...annotations } }), { ...params });
    // Assess
    expect(result).toEqual({ replicas, source });
  });

  it('restores the two replicas of the last-applied manifest, and says so', async () => {
    // Prepare
    const kube = cluster(deployment({ replicas: 0, annotations: applied(2) }), []);
    // Act
    const out = await runRemediation(scaleUp, 'scale_up', kube, {
      params: {
        replicas: 2,
        source: 'last-applied',
        sourceDetail: 'spec.replicas 2 in its kubectl.kubernetes.io/last-applied-configuration'
      }
    });
    // Assess
    expect(kube.cluster.deployments[0]?.spec?.replicas).toBe(2);
    expect(out.summary).toBe(
      'scaled deployment demo/api from 0 to 2 replicas (spec.replicas 2 in its kubectl.kubernetes.io/last-applied-configuration)'
    );
    expect(out.summary).not.toContain('the request');
  });

  it('refused for a workload not opted in, still gives the one command that would fix it', async () => {
    // Prepare
    const kube = cluster(deployment({ replicas: 0, labels: { app: 'api' } }), []);
    // Act
    const out = await runRemediation(scaleUp, 'scale_up', kube, { params: { replicas: 2, sourceDetail: 'the event "…"' } });
    // Assess
    expect(out.outcome).toBe('denied');
    expect(kube.writes).toEqual([]);
    expect(out.manualSteps).toContain('kubectl scale deployment/api -n demo --replicas=2');
  });
});
