import { describe, expect, it } from 'vitest';
import restartPods from '../../../functions/remediate-restart-pods/index.js';
import {
  cluster,
  crashLooping,
  deployment,
  evicted,
  pod,
  running,
  runRemediation
} from '../../helpers/remediation-cluster.js';

const mixed = () => [
  pod('api-1', { containers: [crashLooping()] }),
  pod('api-2'),
  pod('api-3', { containers: [crashLooping()] }),
  evicted('api-0')
];

describe('Function: remediate-restart-pods', () => {
  it('deletes only the pods crashlooping now and says so', async () => {
    // Prepare
    const kube = cluster(deployment(), mixed());
    // Act
    const out = await runRemediation(restartPods, 'restart_pods', kube, { reason: 'pod-status: CrashLoopBackOff' });
    // Assess
    expect(out.outcome).toBe('applied');
    expect(kube.writes).toEqual([
      { verb: 'delete', namespace: 'demo', name: 'pods/api-1', dryRun: false },
      { verb: 'delete', namespace: 'demo', name: 'pods/api-3', dryRun: false }
    ]);
    expect(kube.cluster.pods.map((p) => p.metadata?.name)).toEqual(['api-2', 'api-0']);
    expect(out.summary).toBe(
      'deleted 2 crashlooping pods of deployment demo/api (api-1, api-3); the ReplicaSet replaces them'
    );
    expect(out.changes).toEqual([
      { verb: 'delete', object: 'pods/api-1', detail: 'container server: CrashLoopBackOff, 5 restarts' },
      { verb: 'delete', object: 'pods/api-3', detail: 'container server: CrashLoopBackOff, 5 restarts' }
    ]);
    expect(out.manualSteps).toEqual([]);
    expect(out.audit).toEqual({
      actor: 'system:serviceaccount:cortex:remediate-restart-pods',
      mode: 'enforce',
      reason: 'pod-status: CrashLoopBackOff',
      policy: 'demo/api is opted in and namespace demo is allowed'
    });
  });

  it('intersects params.pods with what crashloops now, leaving recovered pods alone', async () => {
    // Prepare
    const kube = cluster(deployment(), mixed());
    // Act
    const out = await runRemediation(restartPods, 'restart_pods', kube, {
      params: { pods: ['api-2', 'api-3', 'api-gone'] }
    });
    // Assess
    expect(out.outcome).toBe('applied');
    expect(kube.writes.map((w) => w.name)).toEqual(['pods/api-3']);
    expect(out.summary).toMatch(/left alone, not crashlooping now: api-2, api-gone$/);
  });

  it('is a noop with the reason when nothing crashloops any more', async () => {
    // Prepare
    const kube = cluster(deployment(), [pod('api-1', { containers: [running('server', 4)] }), pod('api-2')]);
    // Act
    const out = await runRemediation(restartPods, 'restart_pods', kube, { params: { pods: ['api-1'] } });
    // Assess
    expect(out.outcome).toBe('noop');
    expect(out.summary).toBe('none of the requested pods (api-1) is crashlooping now: nothing to restart');
    expect(kube.writes).toEqual([]);
  });

  it.each([
    ['dry-run mode', { env: { CORTEX_REMEDIATION_MODE: 'dry-run' } }],
    ['a request with dryRun: true', { dryRun: true }]
  ])('in %s, deletes as a server-side dry run only and answers manual with the commands', async (_n, opts) => {
    // Prepare
    const kube = cluster(deployment(), mixed());
    // Act
    const out = await runRemediation(restartPods, 'restart_pods', kube, opts);
    // Assess
    expect(out.outcome).toBe('manual');
    expect(kube.writes.map((w) => [w.name, w.dryRun])).toEqual([
      ['pods/api-1', true],
      ['pods/api-3', true]
    ]);
    expect(kube.cluster.pods).toHaveLength(4);
    expect(out.changes.every((c) => c.dryRun === true)).toBe(true);
    expect(out.summary).toMatch(/^dry run: would delete 2 crashlooping pods .*nothing was changed$/);
    expect(out.manualSteps[0]).toBe('kubectl delete pod -n demo api-1 api-3');
    expect(out.audit?.mode).toBe('dry-run');
  });

  it('notes a pod that vanished between the list and the delete', async () => {
    // Prepare
    const kube = cluster(deployment(), [pod('api-1', { containers: [crashLooping()] })]);
    const deletePod = kube.deletePod;
    kube.deletePod = async (ns, name, o) => (kube.cluster.pods.splice(0), deletePod(ns, name, o));
    // Act
    const out = await runRemediation(restartPods, 'restart_pods', kube);
    // Assess
    expect(out.outcome).toBe('applied');
    expect(out.changes[0]?.detail).toBe('container server: CrashLoopBackOff, 5 restarts; already gone');
  });
});
