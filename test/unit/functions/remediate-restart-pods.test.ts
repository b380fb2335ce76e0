import { describe, expect, it } from 'vitest';
import { changeSink } from '../../../shared/kube/change-feed.js';
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

const BUDGET = 'The disruption budget api needs 2 healthy pods and has 1 currently';
/** Waits short enough for a unit test: 4 polls of 5 ms. */
const FAST_WAIT = { CORTEX_EVICTION_WAIT_MS: '20', CORTEX_EVICTION_POLL_MS: '5' };

describe('Function: remediate-restart-pods', () => {
  it('evicts only the pods crashlooping now, one at a time, and says so', async () => {
    // Prepare
    const kube = cluster(deployment(), mixed());
    // Act
    const out = await runRemediation(restartPods, 'restart_pods', kube, { reason: 'pod-status: CrashLoopBackOff' });
    // Assess
    expect(out.outcome).toBe('applied');
    expect(kube.writes).toEqual([
      { verb: 'evict', namespace: 'demo', name: 'pods/api-1', dryRun: false },
      { verb: 'evict', namespace: 'demo', name: 'pods/api-3', dryRun: false }
    ]);
    expect(kube.cluster.pods.map((p) => p.metadata?.name)).toEqual(['api-2', 'api-0']);
    expect(out.summary).toBe(
      'evicted 2 crashlooping pods of deployment demo/api (api-1, api-3), one at a time; the ReplicaSet replaces them'
    );
    expect(out.changes).toEqual([
      { verb: 'evict', object: 'pods/api-1', detail: 'container server: CrashLoopBackOff, 5 restarts' },
      { verb: 'evict', object: 'pods/api-3', detail: 'container server: CrashLoopBackOff, 5 restarts' }
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
  ])('in %s, evicts as a server-side dry run only and answers manual with the commands', async (_n, opts) => {
    // Prepare
    const kube = cluster(deployment(), mixed());
    // Act
    const out = await runRemediation(restartPods, 'restart_pods', kube, opts);
    // Assess
    expect(out.outcome).toBe('manual');
    expect(kube.writes.map((w) => [w.verb, w.name, w.dryRun])).toEqual([
      ['evict', 'pods/api-1', true],
      ['evict', 'pods/api-3', true]
    ]);
    expect(kube.cluster.pods).toHaveLength(4);
    expect(out.changes.every((c) => c.dryRun === true)).toBe(true);
    expect(out.summary).toMatch(/^dry run: would evict 2 crashlooping pods .*nothing was changed$/);
    expect(out.manualSteps[0]).toBe(
      `kubectl create --raw /api/v1/namespaces/demo/pods/api-1/eviction -f - <<< '{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"api-1","namespace":"demo"}}'`
    );
    expect(out.audit?.mode).toBe('dry-run');
  });

  it('notes a pod that vanished between the list and the eviction', async () => {
    // Prepare
    const kube = cluster(deployment(), [pod('api-1', { containers: [crashLooping()] })]);
    const evictPod = kube.evictPod;
    kube.evictPod = async (ns, name, o) => (kube.cluster.pods.splice(0), evictPod(ns, name, o));
    // Act
    const out = await runRemediation(restartPods, 'restart_pods', kube);
    // Assess
    expect(out.outcome).toBe('applied');
    expect(out.changes[0]?.detail).toBe('container server: CrashLoopBackOff, 5 restarts; already gone');
  });

  it('a budget that refuses the first eviction: manual with its words, nothing deleted, never a delete instead', async () => {
    // Prepare
    const kube = cluster(deployment(), mixed(), { evictionRefusals: { 'api-1': [BUDGET, BUDGET] } });
    // Act
    const out = await runRemediation(restartPods, 'restart_pods', kube, { env: FAST_WAIT });
    // Assess
    expect(out.outcome).toBe('manual');
    expect(out.summary).toBe(
      `the PodDisruptionBudget of deployment demo/api blocks evicting its crashlooping pods (api-1, api-3): ${BUDGET}; nothing was deleted`
    );
    expect(kube.writes).toEqual([
      { verb: 'evict', namespace: 'demo', name: 'pods/api-1', body: { blocked: BUDGET }, dryRun: false }
    ]);
    expect(kube.cluster.pods).toHaveLength(4);
    expect(out.changes).toEqual([]);
    expect(out.manualSteps[0]).toBe('See what the budget allows now: kubectl get poddisruptionbudgets -n demo');
    expect(out.manualSteps.join('\n')).toMatch(/unhealthyPodEvictionPolicy: AlwaysAllow/);
    expect(out.manualSteps.join('\n')).toMatch(/kubectl delete pod -n demo api-1 api-3\) bypasses the budget/);
  });

  it('a budget its own first eviction used up: waits for it, then evicts the next pod', async () => {
    // Prepare
    const kube = cluster(deployment(), mixed(), { evictionRefusals: { 'api-3': [BUDGET, BUDGET] } });
    // Act
    const out = await runRemediation(restartPods, 'restart_pods', kube, { env: FAST_WAIT });
    // Assess
    expect(out.outcome).toBe('applied');
    expect(kube.writes.map((w) => [w.name, w.body === undefined ? 'evicted' : 'refused'])).toEqual([
      ['pods/api-1', 'evicted'],
      ['pods/api-3', 'refused'],
      ['pods/api-3', 'refused'],
      ['pods/api-3', 'evicted']
    ]);
    expect(out.changes[1]?.detail).toBe('container server: CrashLoopBackOff, 5 restarts; waited for the disruption budget');
    expect(kube.cluster.pods.map((p) => p.metadata?.name)).toEqual(['api-2', 'api-0']);
  });

  it('waits for a used-up budget on a watch of the budgets, not on the poll timer', async () => {
    // Prepare: polling alone would look once and give up (one interval is longer than the whole wait)
    const kube = cluster(deployment(), mixed(), { evictionRefusals: { 'api-3': [BUDGET, BUDGET] } });
    const watched: unknown[] = [];
    let closed = false;
    kube.watchChanges = async (ns, targets) => {
      watched.push([ns, targets]);
      const sink = changeSink(() => (closed = true));
      sink.notify(); // the budget's status changes once while the restart waits
      return sink.feed;
    };
    // Act
    const out = await runRemediation(restartPods, 'restart_pods', kube, {
      env: { CORTEX_EVICTION_WAIT_MS: '15000', CORTEX_EVICTION_POLL_MS: '60000' }
    });
    // Assess
    expect(out.outcome, out.summary).toBe('applied');
    expect(watched).toEqual([['demo', [{ kind: 'poddisruptionbudgets' }]]]);
    expect(closed).toBe(true);
    expect(kube.writes.map((w) => [w.name, w.body === undefined ? 'evicted' : 'refused'])).toEqual([
      ['pods/api-1', 'evicted'],
      ['pods/api-3', 'refused'],
      ['pods/api-3', 'refused'],
      ['pods/api-3', 'evicted']
    ]);
  });

  it('a budget that stays used up past the wait: manual, with what was restarted and what was not', async () => {
    // Prepare
    const kube = cluster(deployment(), mixed(), { evictionRefusals: { 'api-3': Array(50).fill(BUDGET) } });
    // Act
    const out = await runRemediation(restartPods, 'restart_pods', kube, { env: FAST_WAIT });
    // Assess
    expect(out.outcome).toBe('manual');
    expect(out.summary).toBe(
      `restarted 1 of 2 crashlooping pods of deployment demo/api (api-1); the PodDisruptionBudget blocks the rest (api-3) after waiting 20ms: ${BUDGET}`
    );
    expect(out.changes.map((c) => c.object)).toEqual(['pods/api-1']);
    expect(kube.writes.filter((w) => w.body === undefined).map((w) => w.name)).toEqual(['pods/api-1']);
    expect(kube.writes.every((w) => w.verb === 'evict')).toBe(true);
  });
});
