import { describe, expect, it } from 'vitest';
import cleanupFailedPods from '../../../functions/remediate-cleanup-failed-pods/index.js';
import reportImagePull from '../../../functions/remediate-report-image-pull/index.js';
import reportOom from '../../../functions/remediate-report-oom/index.js';
import restartPods from '../../../functions/remediate-restart-pods/index.js';
import rolloutRestart from '../../../functions/remediate-rollout-restart/index.js';
import scaleUp from '../../../functions/remediate-scale-up/index.js';
import type { Action } from '../../../shared/events/schemas.js';
import type { KubePort } from '../../../shared/kube/port.js';
import type { AnyFunctionDef } from '../../../shared/runtime/define-function.js';
import { ConflictError, ForbiddenError, TransientError } from '../../../shared/runtime/errors.js';
import type { FakeKube } from '../../fakes/kube.js';
import {
  cluster,
  crashLooping,
  deployment,
  evicted,
  oomKilled,
  pod,
  pullingFails,
  runRemediation,
  spyOn,
  type DeploymentOptions
} from '../../helpers/remediation-cluster.js';

/** Every remediation, with a cluster in which it would act (or report) if the guardrails let it. */
const CASES: Array<[AnyFunctionDef, Action, (o?: DeploymentOptions) => FakeKube, string | undefined]> = [
  [restartPods, 'restart_pods', (o) => cluster(deployment(o), [pod('api-1', { containers: [crashLooping()] })]), 'evictPod'],
  [scaleUp, 'scale_up', (o) => cluster(deployment({ replicas: 0, ...o }), []), 'scaleDeployment'],
  [rolloutRestart, 'rollout_restart', (o) => cluster(deployment(o)), 'patchDeployment'],
  [cleanupFailedPods, 'cleanup_failed_pods', (o) => cluster(deployment(o), [pod('api-1'), evicted('api-0')]), 'deletePod'],
  [
    reportOom,
    'report_oom',
    (o) =>
      cluster(deployment({ containers: [{ name: 'server', resources: { limits: { memory: '128Mi' } } }], ...o }), [
        pod('api-1', { containers: [oomKilled()] })
      ]),
    undefined
  ],
  [
    reportImagePull,
    'report_image_pull',
    (o) => cluster(deployment(o), [pod('api-1', { containers: [pullingFails()] })]),
    undefined
  ]
];

const named = CASES.map(([def, action, make, write]) => [def.name, { def, action, make, write }] as const);
const NOT_OPTED_IN = { labels: { app: 'api' } };

describe.each(named)('Function: %s (guardrails and errors)', (name, { def, action, make }) => {
  it('is denied when the workload is not opted in: no write, the reason, the steps to opt in, who and why', async () => {
    // Prepare
    const kube = make(NOT_OPTED_IN);
    // Act
    const out = await runRemediation(def, action, kube, { reason: 'diagnosis said so' });
    // Assess
    expect(out.outcome).toBe('denied');
    expect(out.summary).toBe('denied: demo/api is not opted in (label cortex.dev/self-heal is missing)');
    expect(out.manualSteps).toContain(
      'To allow automatic healing: kubectl label deployment -n demo api cortex.dev/self-heal=enabled --overwrite'
    );
    // Every known name is filled in: no `<deployment>` or `<selector …>` left once the workload was read.
    expect(out.manualSteps.join('\n')).not.toMatch(/<deployment>|<selector/);
    expect(out.changes).toEqual([]);
    expect(kube.writes).toEqual([]);
    expect(out.audit).toMatchObject({
      actor: `system:serviceaccount:cortex:${name}`,
      mode: 'enforce',
      reason: 'diagnosis said so'
    });
    expect(out).toMatchObject({ healingId: 'h-1', action, target: { namespace: 'demo', service: 'api' } });
  });

  it('is denied in a protected namespace without reading anything there', async () => {
    // Prepare
    const { kube, calls } = spyOn(make());
    // Act
    const out = await runRemediation(def, action, kube, { namespace: 'kube-system' });
    // Assess
    expect(out.outcome).toBe('denied');
    expect(out.summary).toBe('denied: namespace kube-system is protected: Cortex never changes it');
    expect(calls).toEqual([]);
    expect(out.audit?.reason).toBe('requested by healing h-1');
  });

  it('is denied in a namespace outside the allow-list', async () => {
    // Prepare
    const kube = make();
    // Act
    const out = await runRemediation(def, action, kube, { env: { CORTEX_ALLOWED_NAMESPACES: 'prod,team-*' } });
    // Assess
    expect(out.outcome).toBe('denied');
    expect(out.summary).toMatch(/namespace demo is not in the allow-list \(prod, team-\*\)/);
    expect(kube.writes).toEqual([]);
  });

  it('fails with a plain message when no Deployment stands behind the Service', async () => {
    // Prepare
    const kube = make();
    kube.cluster.deployments.length = 0;
    // Act
    const out = await runRemediation(def, action, kube);
    // Assess
    expect(out.outcome).toBe('failed');
    expect(out.failure).toBe('not_found');
    expect(out.summary).toBe(`no Deployment found behind demo/api: nothing to ${action.replaceAll('_', ' ')}`);
    expect(out.manualSteps[0]).toMatch(/kubectl get service -n demo api -o wide/);
  });

  it('fails with "forbidden: …" and manual steps when the API server refuses a read', async () => {
    // Prepare
    const kube = make();
    kube.failNext(
      'readDeployment',
      new ForbiddenError('deployments.apps is forbidden: User cannot get resource "deployments"')
    );
    // Act
    const out = await runRemediation(def, action, kube);
    // Assess
    expect(out.outcome).toBe('failed');
    expect(out.failure).toBe('forbidden');
    expect(out.summary).toBe('forbidden: deployments.apps is forbidden: User cannot get resource "deployments"');
    expect(out.manualSteps[0]).toContain(`check the RoleBinding cortex-${name} there`);
  });

  it('lets a TransientError propagate (503: Knative redelivers)', async () => {
    // Prepare
    const kube = make();
    kube.failNext('readService', new TransientError('kube API answered 503'));
    // Act
    const result = runRemediation(def, action, kube);
    // Assess
    await expect(result).rejects.toBeInstanceOf(TransientError);
    expect(kube.writes).toEqual([]);
  });
});

const writing = named.flatMap(([name, c]) => (c.write ? [[name, { ...c, write: c.write as keyof KubePort }] as const] : []));

describe.each(writing)('Function: %s (errors on the write)', (_name, { def, action, make, write }) => {
  it('fails with the manual steps when the API server refuses the write', async () => {
    // Prepare
    const kube = make();
    kube.failNext(write, new ForbiddenError('forbidden by RBAC'));
    // Act
    const out = await runRemediation(def, action, kube);
    // Assess
    expect(out.outcome).toBe('failed');
    expect(out.summary).toBe('forbidden: forbidden by RBAC');
    expect(out.changes).toEqual([]);
    expect(out.manualSteps.slice(1).join('\n')).toMatch(/^kubectl /);
  });

  it('lets a ConflictError on the write propagate (409: retried with a fresh read)', async () => {
    // Prepare
    const kube = make();
    kube.failNext(write, new ConflictError('the object has been modified'));
    // Act
    const result = runRemediation(def, action, kube);
    // Assess
    await expect(result).rejects.toBeInstanceOf(ConflictError);
  });
});
