import { describe, expect, it } from 'vitest';
import cleanupFailedPods from '../../../functions/remediate-cleanup-failed-pods/index.js';
import { cluster, crashLooping, deployment, evicted, pod, runRemediation } from '../../helpers/remediation-cluster.js';

const pods = () => [
  pod('api-1'),
  evicted('api-0'),
  pod('api-x', { phase: 'Failed', reason: 'Error' }),
  pod('api-2', { containers: [crashLooping()] }),
  evicted('other-0')
];

describe('Function: remediate-cleanup-failed-pods', () => {
  it('deletes the Failed pods (evicted included) and nothing else', async () => {
    // Prepare
    const other = pods()[4]!;
    other.metadata!.labels = { app: 'other' };
    const kube = cluster(deployment(), [...pods().slice(0, 4), other]);
    // Act
    const out = await runRemediation(cleanupFailedPods, 'cleanup_failed_pods', kube);
    // Assess
    expect(out.outcome).toBe('applied');
    expect(kube.writes.map((w) => w.name)).toEqual(['pods/api-0', 'pods/api-x']);
    expect(kube.cluster.pods.map((p) => p.metadata?.name)).toEqual(['api-1', 'api-2', 'other-0']);
    expect(out.changes).toEqual([
      { verb: 'delete', object: 'pods/api-0', detail: 'phase Failed, reason Evicted' },
      { verb: 'delete', object: 'pods/api-x', detail: 'phase Failed, reason Error' }
    ]);
    expect(out.summary).toBe('deleted 2 failed pods of deployment demo/api (api-0, api-x)');
  });

  it('is a noop when no pod is Failed now, whatever the request named', async () => {
    // Prepare
    const kube = cluster(deployment(), [pod('api-1'), pod('api-0')]);
    // Act
    const out = await runRemediation(cleanupFailedPods, 'cleanup_failed_pods', kube, { params: { pods: ['api-0'] } });
    // Assess
    expect(out.outcome).toBe('noop');
    expect(out.summary).toBe('none of the requested pods (api-0) is in phase Failed now: nothing to clean up');
    expect(kube.writes).toEqual([]);
  });

  it('in dry-run mode deletes nothing and lists the kubectl command', async () => {
    // Prepare
    const kube = cluster(deployment(), pods().slice(0, 4));
    // Act
    const out = await runRemediation(cleanupFailedPods, 'cleanup_failed_pods', kube, {
      env: { CORTEX_REMEDIATION_MODE: 'dry-run' }
    });
    // Assess
    expect(out.outcome).toBe('manual');
    expect(kube.writes.every((w) => w.dryRun)).toBe(true);
    expect(kube.cluster.pods).toHaveLength(4);
    expect(out.manualSteps[0]).toBe('kubectl delete pod -n demo api-0 api-x');
  });
});
