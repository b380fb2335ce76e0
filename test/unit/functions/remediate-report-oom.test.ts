import { describe, expect, it } from 'vitest';
import reportOom from '../../../functions/remediate-report-oom/index.js';
import { suggestLimit } from '../../../functions/remediate-report-oom/plan.js';
import { cluster, deployment, oomKilled, pod, running, runRemediation } from '../../helpers/remediation-cluster.js';

const RESOURCES = { limits: { memory: '128Mi', cpu: '500m' }, requests: { memory: '64Mi' } };
const oomCluster = (resources: Record<string, Record<string, string>> = RESOURCES) =>
  cluster(
    deployment({
      containers: [
        { name: 'sidecar', image: 'envoy:1' },
        { name: 'server', image: 'ghcr.io/cortex-demo/api:1.0.0', resources }
      ]
    }),
    [
      pod('api-1', { containers: [running('sidecar'), oomKilled('server')] }),
      pod('api-2', { containers: [running('sidecar'), oomKilled('server')] })
    ]
  );

describe('Function: remediate-report-oom', () => {
  it('changes nothing and reports manual: the OOM-killed container, its limit doubled as a diff, the commands', async () => {
    // Prepare
    const kube = oomCluster();
    const before = structuredClone(kube.cluster.deployments);
    // Act
    const out = await runRemediation(reportOom, 'report_oom', kube);
    // Assess
    expect(out.outcome).toBe('manual');
    expect(kube.writes).toEqual([]);
    expect(kube.cluster.deployments).toEqual(before);
    expect(out.summary).toBe(
      'container server of deployment demo/api runs out of memory (OOMKilled on 2 pods; limit 128Mi): raise its memory limit to 256Mi (twice the current limit 128Mi); Cortex changes no resources'
    );
    expect(out.changes).toEqual([
      {
        verb: 'patch',
        object: 'deployments/api',
        detail:
          'computed plan, not applied: container server resources {"limits":{"memory":"128Mi","cpu":"500m"},"requests":{"memory":"64Mi"}} → {"limits":{"memory":"256Mi","cpu":"500m"},"requests":{"memory":"64Mi"}}',
        dryRun: true
      }
    ]);
    expect(out.manualSteps).toContain(
      'Raise the limit: kubectl set resources deployment/api -n demo -c server --limits=memory=256Mi'
    );
    expect(out.manualSteps).toContain(
      `Validate the new limit with a server-side dry run: kubectl patch deployment api -n demo --type=strategic -p '{"spec":{"template":{"spec":{"containers":[{"name":"server","resources":{"limits":{"memory":"256Mi"}}}]}}}}' --dry-run=server -o yaml`
    );
  });

  it('uses params.suggestedLimit and params.container when given', async () => {
    // Prepare
    const kube = oomCluster();
    // Act
    const out = await runRemediation(reportOom, 'report_oom', kube, {
      params: { container: 'server', suggestedLimit: '384Mi', memoryLimit: '128Mi' }
    });
    // Assess
    expect(out.manualSteps).toContain(
      'Raise the limit: kubectl set resources deployment/api -n demo -c server --limits=memory=384Mi'
    );
    expect(out.summary).toMatch(/raise its memory limit to 384Mi \(suggested by the diagnosis\)/);
  });

  it('still reports when the kills left no trace on the current pods, and says so', async () => {
    // Prepare
    const kube = cluster(deployment({ containers: [{ name: 'server', resources: { limits: { memory: '1Gi' } } }] }), [
      pod('api-9')
    ]);
    // Act
    const out = await runRemediation(reportOom, 'report_oom', kube, { params: { container: 'server' } });
    // Assess
    expect(out.outcome).toBe('manual');
    expect(out.summary).toMatch(/no OOMKilled status is visible on the current pods/);
    expect(out.manualSteps).toContain(
      'Raise the limit: kubectl set resources deployment/api -n demo -c server --limits=memory=2Gi'
    );
  });

  it('in dry-run mode is the same manual report (it never writes)', async () => {
    // Prepare
    const kube = oomCluster();
    // Act
    const out = await runRemediation(reportOom, 'report_oom', kube, { env: { CORTEX_REMEDIATION_MODE: 'dry-run' } });
    // Assess
    expect(out.outcome).toBe('manual');
    expect(out.audit?.mode).toBe('dry-run');
    expect(kube.writes).toEqual([]);
  });

  it('keeps the suggested limit in the steps of a denial (the plan needed reads only)', async () => {
    // Prepare
    const kube = oomCluster();
    kube.cluster.deployments[0]!.metadata!.labels = { app: 'api' };
    // Act
    const out = await runRemediation(reportOom, 'report_oom', kube);
    // Assess
    expect(out.outcome).toBe('denied');
    expect(out.changes).toEqual([]);
    expect(out.manualSteps).toContain(
      'Raise the limit: kubectl set resources deployment/api -n demo -c server --limits=memory=256Mi'
    );
  });

  it.each([
    [{ limits: { memory: '128Mi' } }, undefined, '256Mi', 'twice the current limit 128Mi'],
    [{ limits: { memory: '1.5Gi' } }, undefined, '3Gi', 'twice the current limit 1.5Gi'],
    [{ limits: { memory: '500M' } }, undefined, '1G', 'twice the current limit 500M'],
    [{ requests: { memory: '100Mi' } }, undefined, '200Mi', 'twice the memory request 100Mi (no limit set)'],
    [{}, undefined, '512Mi', 'a starting point: the container has no memory limit or request'],
    [{ limits: { memory: '128Mi' } }, '200Mi', '200Mi', 'suggested by the diagnosis'],
    [{ limits: { memory: '128Mi' } }, '64Mi', '256Mi', 'twice the current limit 128Mi'],
    [{ limits: { memory: '128Mi' } }, 'plenty', '256Mi', 'twice the current limit 128Mi']
  ])('suggestLimit(%j, %j) → %s (%s)', (resources, suggested, limit, basis) => {
    // Act
    const result = suggestLimit(resources, suggested);
    // Assess
    expect(result).toEqual({ limit, basis });
  });
});
