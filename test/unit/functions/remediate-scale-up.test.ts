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
    expect(out.summary).toBe('scaled deployment demo/api from 0 to 1 replica (the default)');
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

  it.each([
    [undefined, undefined, 1, 'the default'],
    ['4', undefined, 4, 'annotation cortex.dev/restore-replicas=4'],
    [' 2 ', 5, 2, 'annotation cortex.dev/restore-replicas=2'],
    ['50', undefined, 10, 'annotation cortex.dev/restore-replicas=50, capped at 10'],
    ['0', undefined, 1, 'the default, ignored cortex.dev/restore-replicas="0"'],
    ['two', 3, 3, 'the request, ignored cortex.dev/restore-replicas="two"'],
    ['-3', undefined, 1, 'the default, ignored cortex.dev/restore-replicas="-3"'],
    ['1.5', undefined, 1, 'the default, ignored cortex.dev/restore-replicas="1.5"'],
    [undefined, 99, 10, 'the request, capped at 10']
  ] as const)('restoreCount(annotation %j, requested %j) → %i from %s', (annotation, requested, replicas, source) => {
    // Act
    const result = restoreCount(annotation, requested);
    // Assess
    expect(result).toEqual({ replicas, source });
  });
});
