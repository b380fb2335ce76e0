import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAll } from '../../../functions/index.js';
import { DEPENDS_ON_ANNOTATION, type Fault } from '../../../local/kube-sim/index.js';
import type { Action } from '../../../shared/events/schemas.js';
import {
  type Grant,
  type ServiceAccountCluster,
  forbiddenWords,
  grantLabel,
  grantsOf,
  requestDiagnosis,
  requestRemediation,
  setRole as setRoleOf,
  startAsServiceAccounts
} from '../../helpers/as-service-accounts.js';
import { asAdmin, createWorkload } from '../../helpers/kube-sim.js';

/*
 * Least privilege, proven on the API: every function with Kubernetes needs runs over real HTTP as its own
 * ServiceAccount, bound by the ClusterRole knative/ renders for it. With that role it completes every scenario it
 * takes part in; with any one grant taken out of the role, some scenario fails with the 403 naming that grant, and
 * the function reports it (a check: inconclusive "forbidden: …"; a remediation: failed "forbidden: …" with the
 * RoleBinding to look at). A grant no scenario needs fails this test: declare less. (An extra grant in the role
 * itself is caught by test/contract/rbac.test.ts.)
 */

const defs = (await loadAll()).filter((d) => d.kube?.length);
const checks = defs.filter((d) => d.name.startsWith('check-'));
const remediations = defs.filter((d) => d.name.startsWith('remediate-'));

/** The scenarios: one workload per fault, as the healings meet them. */
const SCENARIOS: Record<string, Fault | 'healthy' | 'scale-zero' | 'dependency-down' | 'restarted'> = {
  'lp-ok': 'healthy',
  'lp-crash': 'crashloop',
  'lp-oom': 'oom',
  'lp-pull': 'image-pull',
  'lp-notready': 'not-ready',
  'lp-stale': 'endpoints-stale',
  'lp-evicted': 'evicted',
  'lp-blocked': 'network-block',
  'lp-zero': 'scale-zero',
  // Crashes because what it depends on (lp-zero) has no endpoints: check-dependencies resolves it
  'lp-dep': 'dependency-down',
  // Rolled out a second time (a restart), so a rollback has a revision to go back to
  'lp-rolled': 'restarted'
};

/**
 * Workloads whose Deployment is named apart from their Service (`<service>-server`): resolving the target then lists
 * the namespace's Deployments, which the Deployment of the Service's name spares the others. Every remediation's
 * scenario is one of them, so both ways are exercised by each function.
 */
const RENAMED = new Set(['lp-crash', 'lp-zero', 'lp-stale', 'lp-evicted', 'lp-oom', 'lp-pull', 'lp-rolled']);
const deploymentOf = (service: string): string => (RENAMED.has(service) ? `${service}-server` : service);

/** The scenarios each remediation takes part in, and how each completes there with its whole role. */
type RemediationScenario = { service: string; action: Action; outcome: string; params?: Record<string, unknown> };
const REMEDIATION_SCENARIOS: Record<string, RemediationScenario[]> = {
  'remediate-restart-pods': [{ service: 'lp-crash', action: 'restart_pods', outcome: 'applied' }],
  'remediate-scale-up': [{ service: 'lp-zero', action: 'scale_up', outcome: 'applied' }],
  'remediate-rollout-restart': [{ service: 'lp-stale', action: 'rollout_restart', outcome: 'applied' }],
  'remediate-cleanup-failed-pods': [{ service: 'lp-evicted', action: 'cleanup_failed_pods', outcome: 'applied' }],
  'remediate-report-oom': [{ service: 'lp-oom', action: 'report_oom', outcome: 'manual' }],
  'remediate-report-image-pull': [{ service: 'lp-pull', action: 'report_image_pull', outcome: 'manual' }],
  // Its two undos use different grants: back to a revision's template, back to a replica count.
  'remediate-rollback': [
    { service: 'lp-rolled', action: 'rollback', outcome: 'applied', params: { undo: 'rollout_restart', revision: '1' } },
    { service: 'lp-rolled', action: 'rollback', outcome: 'applied', params: { undo: 'scale_up', replicas: 2 } }
  ]
};

let c: ServiceAccountCluster;

const setRole = (fn: string, grants: readonly Grant[]): Promise<void> => setRoleOf(c, fn, grants);
const label = grantLabel;

/**
 * Grants whose need only a real (not dry-run) restart meets, proven where that runs: the wait for a disruption budget
 * that an earlier eviction of the same restart spent watches the budgets (restart-pods-budgets.test.ts).
 */
const PROVEN_ELSEWHERE: Record<string, readonly string[]> = {
  'remediate-restart-pods': ['policy/poddisruptionbudgets:list', 'policy/poddisruptionbudgets:watch']
};

async function scenario(name: string, fault: (typeof SCENARIOS)[string]): Promise<void> {
  const deployment = deploymentOf(name);
  await createWorkload(c.sim, name, { replicas: 1, deployment });
  const pods = () => c.sim.list('Pod', 'demo', `app=${name}`);
  await c.sim.waitFor(() => pods().some((p) => (p.status?.['phase'] as string) === 'Running'), { message: `${name} up` });
  if (fault === 'scale-zero') {
    const res = await fetch(`${c.sim.url}/apis/apps/v1/namespaces/demo/deployments/${deployment}/scale`, {
      method: 'PATCH',
      headers: asAdmin(c.sim, { 'Content-Type': 'application/merge-patch+json' }),
      body: '{"spec":{"replicas":0}}'
    });
    expect(res.status).toBe(200);
    await c.sim.waitFor(() => pods().length === 0, { message: `${name} at zero` });
  } else if (fault === 'restarted') {
    const res = await fetch(`${c.sim.url}/apis/apps/v1/namespaces/demo/deployments/${deployment}`, {
      method: 'PATCH',
      headers: asAdmin(c.sim, { 'Content-Type': 'application/strategic-merge-patch+json' }),
      body: JSON.stringify({
        spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-27T10:00:00Z' } } } }
      })
    });
    expect(res.status).toBe(200);
    await c.sim.waitFor(() => c.sim.list('ReplicaSet', 'demo', `app=${name}`).length === 2, {
      message: `${name} at revision 2`
    });
  } else if (fault === 'dependency-down') {
    const res = await fetch(`${c.sim.url}/apis/apps/v1/namespaces/demo/deployments/${deployment}`, {
      method: 'PATCH',
      headers: asAdmin(c.sim, { 'Content-Type': 'application/merge-patch+json' }),
      body: JSON.stringify({ metadata: { annotations: { [DEPENDS_ON_ANNOTATION]: 'lp-zero' } } })
    });
    expect(res.status).toBe(200);
    await c.sim.waitFor(() => JSON.stringify(pods().map((p) => p.status)).includes('"restartCount":1'), {
      message: `${name} crashing for lp-zero`,
      timeoutMs: 20_000
    });
  } else if (fault !== 'healthy') {
    c.sim.setFault('demo', deployment, fault);
    const state = JSON.stringify;
    await c.sim.waitFor(
      () => {
        const text = state(pods().map((p) => p.status));
        if (fault === 'crashloop') return text.includes('CrashLoopBackOff');
        if (fault === 'oom') return text.includes('OOMKilled');
        if (fault === 'image-pull') return /ErrImagePull|ImagePullBackOff/.test(text);
        if (fault === 'evicted') return text.includes('"reason":"Evicted"');
        if (fault === 'network-block') return c.sim.list('NetworkPolicy', 'demo').length > 0;
        if (fault === 'endpoints-stale')
          return text.includes('"ready":true') && !JSON.stringify(c.sim.get('Endpoints', 'demo', name)).includes('"ip"');
        return text.includes('"ready":false');
      },
      { message: `${name} ${fault}`, timeoutMs: 20_000 }
    );
  }
}

beforeAll(async () => {
  c = await startAsServiceAccounts(defs, {
    sim: { podStartMs: 100, backoffBaseMs: 200, crashAfterMs: 100, crashHoldMs: 100, terminationMs: 200 },
    // Diagnoses look once; a verify waits (following watches) only this long, for the checks' watch grants.
    env: { CORTEX_CHECK_WAIT_MS: '300' }
  });
  await Promise.all(Object.entries(SCENARIOS).map(([name, fault]) => scenario(name, fault)));
}, 60_000);
afterAll(async () => {
  await c?.stop();
});

describe.each(checks.map((d) => [d.name, d] as const))('Least privilege: %s', (fn, def) => {
  const services = Object.keys(SCENARIOS);

  it('with its generated role, looks at every scenario without a 403', async () => {
    // Act
    const results = await Promise.all(services.map((s) => requestDiagnosis(c, fn, s)));
    // Assess
    for (const [i, r] of results.entries()) {
      expect(r.status, services[i]).toBe(202);
      expect(r.out?.summary, services[i]).not.toMatch(/^forbidden: /);
      expect(r.out?.evidence.some((e) => e.reason === 'Forbidden')).toBe(false);
    }
  });

  it.each(grantsOf(def).map((g) => [label(g), g] as const))('without %s, reports the 403 as inconclusive', async (_l, g) => {
    // Prepare
    const all = grantsOf(def);
    await setRole(
      fn,
      all.filter((x) => label(x) !== label(g))
    );
    // Act: the first scenario in which the check needs this grant (diagnoses first; a verify also watches)
    let found: Awaited<ReturnType<typeof requestDiagnosis>>['out'];
    const attempts = (['diagnose', 'verify'] as const).flatMap((phase) => services.map((s) => [s, phase] as const));
    try {
      for (const [s, phase] of attempts) {
        const { status, out } = await requestDiagnosis(c, fn, s, phase);
        expect(status).toBe(202);
        if (out?.summary.startsWith('forbidden: ')) {
          found = out;
          break;
        }
      }
    } finally {
      await setRole(fn, all);
    }
    // Assess
    expect(found, `no scenario needs ${label(g)}: take it out of ${fn}'s kube needs`).toBeDefined();
    expect(found!.verdict).toBe('inconclusive');
    expect(found!.summary).toContain(`403 ${g.resource.split('/')[0]}`);
    expect(found!.summary).toContain(forbiddenWords(fn, g));
    expect(found!.evidence).toContainEqual(expect.objectContaining({ reason: 'Forbidden' }));
  });
});

describe.each(remediations.map((d) => [d.name, d] as const))('Least privilege: %s', (fn, def) => {
  const scenarios = REMEDIATION_SCENARIOS[fn]!;

  // Dry runs exercise every read and write (the API server authorizes a dry run like the real thing) and leave the
  // scenario as it is for the next grant.
  const elsewhere = PROVEN_ELSEWHERE[fn] ?? [];
  it.runIf(elsewhere.length > 0)('declares the grants proven elsewhere', () => {
    expect(grantsOf(def).map(label)).toEqual(expect.arrayContaining([...elsewhere]));
  });
  it.each(
    grantsOf(def)
      .filter((g) => !elsewhere.includes(label(g)))
      .map((g) => [label(g), g] as const)
  )('without %s, fails with the 403 and says where to look', async (_l, g) => {
    // Prepare
    const all = grantsOf(def);
    await setRole(
      fn,
      all.filter((x) => label(x) !== label(g))
    );
    // Act
    const results: Array<Awaited<ReturnType<typeof requestRemediation>>> = [];
    try {
      for (const s of scenarios)
        results.push(await requestRemediation(c, fn, s.action, s.service, { dryRun: true, params: s.params }));
    } finally {
      await setRole(fn, all);
    }
    // Assess
    expect(results.map((r) => r.status)).toEqual(scenarios.map(() => 202));
    const failed = results.find((r) => r.out?.outcome === 'failed');
    expect(failed?.out, `no part of ${fn}'s scenarios needs ${label(g)}: take it out of ${fn}'s kube needs`).toBeDefined();
    expect(failed!.out!.summary).toMatch(/^forbidden: /);
    expect(failed!.out!.summary).toContain(forbiddenWords(fn, g));
    expect(failed!.out!.manualSteps[0]).toContain(`check the RoleBinding cortex-${fn} there`);
  });

  it.each(scenarios.map((s) => [`${s.service}: ${s.outcome}${s.params ? ` ${JSON.stringify(s.params)}` : ''}`, s] as const))(
    'with its generated role, completes its scenario (%s)',
    async (_l, s) => {
      // Prepare
      const seen = c.sim.audit().length;
      // Act
      const { status, out } = await requestRemediation(c, fn, s.action, s.service, { params: s.params });
      // Assess
      expect(status).toBe(202);
      expect(out?.outcome, out?.summary).toBe(s.outcome);
      const requests = c.sim
        .audit()
        .slice(seen)
        .filter((e) => e.user.username === `system:serviceaccount:cortex:${fn}`);
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.filter((e) => e.responseStatus.code === 403)).toEqual([]);
    }
  );
});
