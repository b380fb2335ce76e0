import { describe, expect, it } from 'vitest';
import rollback from '../../../functions/remediate-rollback/index.js';
import { undoPatch } from '../../../functions/remediate-rollback/plan.js';
import rolloutRestart from '../../../functions/remediate-rollout-restart/index.js';
import scaleUp from '../../../functions/remediate-scale-up/index.js';
import { Events } from '../../../shared/events/catalog.js';
import type { Action, GrantedApproval } from '../../../shared/events/schemas.js';
import type { ReplicaSet } from '../../../shared/kube/port.js';
import { pinnedOf, specDiff } from '../../../shared/remediation/approval.js';
import type { AnyFunctionDef } from '../../../shared/runtime/define-function.js';
import { ctxFor, eventOf } from '../../fakes/ctx.js';
import type { FakeKube } from '../../fakes/kube.js';
import { cluster, completedOf, deployment, OPTED_IN, runRemediation } from '../../helpers/remediation-cluster.js';

/*
 * The remediation's side of approvals (policy, dry-run diff, generation and spec digest) and the rollback function:
 * what they read, what they write, and what they refuse.
 */

const LABELLED = { app: 'api', ...OPTED_IN, 'cortex.dev/approval': 'required' };

async function ask(def: AnyFunctionDef, action: Action, kube: FakeKube, approval?: GrantedApproval, env = {}) {
  const ctx = await ctxFor(def, { kube, env: { POD_NAMESPACE: 'cortex', ...env } });
  const event = eventOf(Events.RemediationRequested[action], {
    healingId: 'h-1',
    target: { namespace: 'demo', service: 'api' },
    params: {},
    dryRun: false,
    ...(approval ? { approval } : {})
  });
  return completedOf(await def.handle(event, ctx));
}

const granted = (kube: FakeKube): GrantedApproval => ({
  approvalId: 'h-1:approval:1',
  decidedBy: 'operator:alice',
  decidedAt: '2026-11-27T10:01:00.000Z',
  ...pinnedOf(kube.cluster.deployments[0]!)
});

describe('Remediation approval policy', () => {
  it('a labelled workload: scale_up runs only as a dry run and answers approval_required with the diff, generation and spec digest', async () => {
    // Prepare
    const kube = cluster(deployment({ replicas: 0, labels: LABELLED, generation: 7 }), []);
    // Act
    const out = await ask(scaleUp, 'scale_up', kube);
    // Assess
    expect(out.outcome).toBe('approval_required');
    expect(out.approval).toMatchObject({
      object: 'deployments/api',
      generation: 7,
      specDigest: pinnedOf(kube.cluster.deployments[0]!).specDigest,
      why: 'the workload is labelled cortex.dev/approval=required',
      diff: [{ op: 'replace', path: 'deployments/api/scale:/spec/replicas', value: 1, from: 0 }]
    });
    expect(kube.writes.every((w) => w.dryRun)).toBe(true);
    expect(kube.cluster.deployments[0]?.spec?.replicas).toBe(0);
  });

  it('CORTEX_APPROVAL_ACTIONS and CORTEX_APPROVAL_NAMESPACES hold unlabelled workloads too', async () => {
    // Prepare
    const byAction = cluster(deployment({ replicas: 2 }));
    const byNamespace = cluster(deployment({ replicas: 0 }), []);
    // Act
    const restart = await ask(rolloutRestart, 'rollout_restart', byAction, undefined, {
      CORTEX_APPROVAL_ACTIONS: 'rollout_restart,restart_pods'
    });
    const scale = await ask(scaleUp, 'scale_up', byNamespace, undefined, { CORTEX_APPROVAL_NAMESPACES: 'prod,demo' });
    // Assess
    expect(restart.outcome).toBe('approval_required');
    expect(restart.approval?.why).toBe('rollout_restart is in CORTEX_APPROVAL_ACTIONS');
    expect(restart.approval?.diff.map((d) => d.path)).toEqual(['deployments/api:/spec/template/metadata/annotations']);
    expect(scale.approval?.why).toBe('namespace demo is in CORTEX_APPROVAL_NAMESPACES (demo)');
    expect(byAction.writes.every((w) => w.dryRun)).toBe(true);
  });

  it('with an approval of the state it sees, applies and records who approved and what was there before', async () => {
    // Prepare
    const kube = cluster(deployment({ replicas: 0, labels: LABELLED }), []);
    // Act
    const out = await ask(scaleUp, 'scale_up', kube, granted(kube));
    // Assess
    expect(out.outcome).toBe('applied');
    expect(kube.cluster.deployments[0]?.spec?.replicas).toBe(1);
    expect(out.audit).toMatchObject({ approvedBy: 'operator:alice', approvalId: 'h-1:approval:1' });
    expect(out.record).toMatchObject({ deployment: 'api', replicas: 0, readyReplicas: 0, endpoints: 0 });
  });

  it('an approval of a state the Deployment moved away from is not applied: approval_stale, nothing written', async () => {
    // Prepare
    const kube = cluster(deployment({ replicas: 0, labels: LABELLED }), []);
    const approval = granted(kube);
    const d = kube.cluster.deployments[0]!;
    d.metadata!.generation = (d.metadata!.generation ?? 0) + 1;
    d.spec!.template.spec!.containers[0]!.image = 'ghcr.io/cortex-demo/api:2.0.0';
    // Act
    const out = await ask(scaleUp, 'scale_up', kube, approval);
    // Assess
    expect(out.outcome).toBe('approval_stale');
    expect(out.summary).toMatch(/moved from generation 2 to 3/);
    expect(kube.writes).toEqual([]);
  });

  it('status is not a move: a crash-looping pod changes no spec, so the approval still holds', async () => {
    // Prepare
    const kube = cluster(deployment({ replicas: 0, labels: LABELLED }), []);
    const approval = granted(kube);
    kube.cluster.deployments[0]!.status = { replicas: 1, readyReplicas: 0, unavailableReplicas: 1 };
    // Act
    const out = await ask(scaleUp, 'scale_up', kube, approval);
    // Assess
    expect(out.outcome).toBe('applied');
  });

  it('specDiff says what replaced what, and ignores what the API server adds (resourceVersion, managedFields)', () => {
    // Act
    const diff = specDiff(
      { metadata: { resourceVersion: '1' }, spec: { replicas: 0 } },
      { metadata: { resourceVersion: '2', managedFields: [{}] }, spec: { replicas: 2 } }
    );
    // Assess
    expect(diff).toEqual([{ op: 'replace', path: '/spec/replicas', value: 2, from: 0 }]);
  });
});

const rs = (revision: string, template: Record<string, unknown>, uid = 'uid-api'): ReplicaSet => ({
  metadata: {
    name: `api-${revision}`,
    namespace: 'demo',
    labels: { app: 'api' },
    annotations: { 'deployment.kubernetes.io/revision': revision, team: 'blue' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid, controller: true }]
  },
  spec: { selector: { matchLabels: { app: 'api' } }, template: template as never }
});

describe('Function: remediate-rollback', () => {
  const original = {
    metadata: { labels: { app: 'api', 'pod-template-hash': 'aaa' } },
    spec: { containers: [{ name: 'server', image: 'ghcr.io/cortex-demo/api:1.0.0' }] }
  };
  const restarted = {
    metadata: {
      labels: { app: 'api', 'pod-template-hash': 'bbb' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-27T10:00:00Z' }
    },
    spec: { containers: [{ name: 'server', image: 'ghcr.io/cortex-demo/api:1.0.0' }] }
  };
  const world = (): FakeKube => {
    const d = deployment({ replicas: 2, annotations: { 'deployment.kubernetes.io/revision': '2' } });
    d.metadata!.uid = 'uid-api';
    d.spec!.template = structuredClone(restarted) as never;
    delete d.spec!.template.metadata!.labels!['pod-template-hash'];
    return cluster(d, [], { replicaSets: [rs('1', original), rs('2', restarted), rs('1', restarted, 'uid-other')] });
  };

  it('goes back to the template of the named revision, read from its ReplicaSet, as kubectl rollout undo does', async () => {
    // Prepare
    const kube = world();
    // Act
    const out = await runRemediation(rollback, 'rollback', kube, { params: { undo: 'rollout_restart', revision: '1' } });
    // Assess
    expect(out.outcome).toBe('applied');
    expect(kube.writes.map((w) => w.verb)).toEqual(['patch:json']);
    const d = kube.cluster.deployments[0]!;
    expect(d.spec?.template).toEqual({ metadata: { labels: { app: 'api' } }, spec: original.spec });
    expect(d.metadata?.annotations).toEqual({ 'deployment.kubernetes.io/revision': '2', team: 'blue' });
    expect(out.summary).toContain('from revision 2 to the template of revision 1 (replicaset api-1)');
  });

  it('a request cannot bring a template of its own: only a revision the Deployment owns is used', async () => {
    // Prepare
    const kube = world();
    // Act
    const forged = await runRemediation(rollback, 'rollback', kube, {
      params: { undo: 'rollout_restart', revision: '9', template: { spec: { containers: [{ image: 'evil' }] } } }
    });
    // Assess
    expect(forged.outcome).toBe('manual');
    expect(forged.summary).toContain('no ReplicaSet of revision 9');
    expect(kube.writes).toEqual([]);
  });

  it('a scale goes back to the recorded replica count; pod deletions cannot be undone', async () => {
    // Prepare
    const kube = world();
    // Act
    const scaled = await runRemediation(rollback, 'rollback', kube, { params: { undo: 'scale_up', replicas: 1 } });
    const pods = await runRemediation(rollback, 'rollback', world(), { params: { undo: 'restart_pods' } });
    // Assess
    expect(scaled.outcome).toBe('applied');
    expect(kube.cluster.deployments[0]?.spec?.replicas).toBe(1);
    expect(pods.outcome).toBe('manual');
    expect(pods.summary).toContain('cannot be undone');
  });

  it('undoPatch drops the pod-template-hash label and keeps the annotations the controller owns', () => {
    // Act
    const patch = undoPatch(
      { metadata: { annotations: { 'deployment.kubernetes.io/revision': '5', old: 'x' } } },
      rs('3', original)
    );
    // Assess
    expect(patch).toEqual([
      { op: 'replace', path: '/spec/template', value: { metadata: { labels: { app: 'api' } }, spec: original.spec } },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '5', team: 'blue' } }
    ]);
  });
});
