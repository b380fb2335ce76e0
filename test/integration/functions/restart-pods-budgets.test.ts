import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import restartPods from '../../../functions/remediate-restart-pods/index.js';
import { applyObjects } from '../../../local/kube-sim/apply.js';
import { type KubeObject } from '../../../local/kube-sim/index.js';
import {
  type ServiceAccountCluster,
  forbiddenWords,
  grantLabel,
  grantsOf,
  requestRemediation,
  setRole,
  startAsServiceAccounts
} from '../../helpers/as-service-accounts.js';
import { createWorkload } from '../../helpers/kube-sim.js';

/*
 * remediate-restart-pods over real HTTP, as its own ServiceAccount, against workloads with PodDisruptionBudgets:
 * a budget that allows no disruption blocks it (and nothing is deleted); a budget that allows one lets it restart the
 * pods one at a time (healthy pods, the budget spent and given back) or at once for unready pods under AlwaysAllow.
 * Its role is exactly what knative/ renders from its definition, so the wait's watch on the budgets runs on those
 * grants (list and watch on poddisruptionbudgets) and no more; the poll interval is longer than the whole wait, so
 * only the watch can bring the second eviction in time.
 */

type Pod = KubeObject & {
  status?: { conditions?: Array<{ type: string; status: string }>; containerStatuses?: Array<{ restartCount: number }> };
};

const FN = 'remediate-restart-pods';
const ACTOR = 'system:serviceaccount:cortex:remediate-restart-pods';
let c: ServiceAccountCluster;

const pods = (app: string): Pod[] => c.sim.list('Pod', 'demo', `app=${app}`) as Pod[];
const live = (app: string): Pod[] => pods(app).filter((p) => !p.metadata.deletionTimestamp);
const isReady = (p: Pod): boolean => (p.status?.conditions ?? []).some((x) => x.type === 'Ready' && x.status === 'True');
const restarts = (p: Pod): number => Math.max(0, ...(p.status?.containerStatuses ?? []).map((s) => s.restartCount));
const budget = (name: string, spec: Record<string, unknown>): KubeObject =>
  ({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'demo' },
    spec: { selector: { matchLabels: { app: name } }, ...spec }
  }) as unknown as KubeObject;
const evictionsOf = (names: string[]) =>
  c.sim
    .writes()
    .filter((w) => w.user === ACTOR && names.includes(w.name ?? ''))
    .map((w) => [w.verb, w.resource, w.name, w.code]);

/** A workload of two crashlooping (unready) pods under a budget. */
async function crashlooping(name: string, spec: Record<string, unknown>): Promise<string[]> {
  await createWorkload(c.sim, name, { replicas: 2 });
  await c.sim.waitFor(() => live(name).filter(isReady).length === 2, { message: `${name} ready` });
  c.sim.setFault('demo', name, 'crashloop-transient');
  await c.sim.waitFor(() => live(name).every((p) => restarts(p) >= 3 && !isReady(p)), {
    message: `${name} crashlooping`,
    timeoutMs: 20_000
  });
  await applyObjects(c.sim.url, c.sim.adminToken, [budget(name, spec)]);
  await c.sim.waitFor(() => c.sim.get('PodDisruptionBudget', 'demo', name)?.status?.['observedGeneration'] === 1);
  return live(name).map((p) => p.metadata.name);
}

/** Two pods that crashed three times and run again (still "crashlooping" for a restart, but Ready), one disruption allowed. */
async function recovered(name: string): Promise<string[]> {
  await createWorkload(c.sim, name, { replicas: 2 });
  c.sim.setFault('demo', name, 'crashloop');
  await c.sim.waitFor(() => live(name).length === 2 && live(name).every((p) => restarts(p) >= 3), {
    message: `${name} crashed three times`,
    timeoutMs: 20_000
  });
  c.sim.setFault('demo', name, 'none');
  await c.sim.waitFor(() => live(name).filter(isReady).length === 2, { message: `${name} ready again` });
  await applyObjects(c.sim.url, c.sim.adminToken, [budget(name, { maxUnavailable: 1 })]);
  await c.sim.waitFor(() => c.sim.get('PodDisruptionBudget', 'demo', name)?.status?.['disruptionsAllowed'] === 1);
  return live(name).map((p) => p.metadata.name);
}

beforeAll(async () => {
  c = await startAsServiceAccounts([restartPods], {
    // A replacement takes 1.5 s to become Ready: far longer than the function takes to ask for its next eviction,
    // so the budget it spent on the first pod is still spent when it asks (and it has to wait for it).
    sim: { podStartMs: 1500, backoffBaseMs: 200, crashAfterMs: 100, crashHoldMs: 100, terminationMs: 300 },
    // Polling alone would look once and give up: the wait (15 s) is shorter than one poll interval (60 s).
    env: { CORTEX_EVICTION_WAIT_MS: '15000', CORTEX_EVICTION_POLL_MS: '60000' }
  });
});
afterAll(async () => {
  await c?.stop();
});

describe('remediate-restart-pods and PodDisruptionBudgets', () => {
  it('a budget that allows no disruption: the outcome says the budget blocks it, and nothing is deleted', async () => {
    // Prepare
    const before = await crashlooping('pdb-none', { minAvailable: 2 });
    // Act
    const { status, out } = await requestRemediation(c, FN, 'restart_pods', 'pdb-none');
    // Assess
    expect(status).toBe(202);
    expect(out?.outcome).toBe('manual');
    expect(out?.summary).toBe(
      `the PodDisruptionBudget of deployment demo/pdb-none blocks evicting its crashlooping pods (${before.join(', ')}): The disruption budget pdb-none needs 2 healthy pods and has 0 currently; nothing was deleted`
    );
    expect(out?.changes).toEqual([]);
    expect(out?.manualSteps[0]).toBe('See what the budget allows now: kubectl get poddisruptionbudgets -n demo');
    expect(
      live('pdb-none')
        .map((p) => p.metadata.name)
        .sort()
    ).toEqual([...before].sort());
    expect(evictionsOf(before)).toEqual([['create', 'pods/eviction', before[0], 429]]);
  });

  it('a budget that allows one disruption of healthy pods: restarted one at a time, the budget never broken', async () => {
    // Prepare: pods that crashed three times and run again are still "crashlooping" for a restart, but Ready
    const before = await recovered('pdb-one');
    let fewestReady = 2;
    const watch = setInterval(() => (fewestReady = Math.min(fewestReady, live('pdb-one').filter(isReady).length)), 5);
    // Act
    const { out } = await requestRemediation(c, FN, 'restart_pods', 'pdb-one');
    clearInterval(watch);
    // Assess
    expect(out?.outcome, out?.summary).toBe('applied');
    expect(out?.changes.map((x) => x.object)).toEqual(before.map((n) => `pods/${n}`));
    expect(out?.changes[1]?.detail).toMatch(/; waited for the disruption budget$/);
    const evictions = evictionsOf(before);
    expect(evictions[0]).toEqual(['create', 'pods/eviction', before[0], 201]);
    expect(evictions.slice(1, -1).every(([, , name, code]) => name === before[1] && code === 429)).toBe(true);
    expect(evictions.length).toBeGreaterThan(2);
    expect(evictions.at(-1)).toEqual(['create', 'pods/eviction', before[1], 201]);
    expect(fewestReady).toBeGreaterThanOrEqual(1);
    expect(c.sim.writes().filter((w) => w.user === ACTOR && w.verb === 'delete')).toEqual([]);
    await c.sim.waitFor(
      () => live('pdb-one').filter(isReady).length === 2 && !live('pdb-one').some((p) => before.includes(p.metadata.name)),
      {
        message: 'two fresh Ready pods'
      }
    );
  });

  it('unhealthyPodEvictionPolicy AlwaysAllow: the unready pods are evicted and replaced', async () => {
    // Prepare
    const before = await crashlooping('pdb-always', { minAvailable: 2, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    // Act
    const { out } = await requestRemediation(c, FN, 'restart_pods', 'pdb-always');
    // Assess
    expect(out?.outcome, out?.summary).toBe('applied');
    expect(evictionsOf(before)).toEqual(before.map((n) => ['create', 'pods/eviction', n, 201]));
    const after = await c.sim.waitFor(
      () => {
        const fresh = live('pdb-always').filter(isReady);
        return fresh.length === 2 && !fresh.some((p) => before.includes(p.metadata.name)) ? fresh : undefined;
      },
      { message: 'two fresh Ready pods' }
    );
    expect(after.map(restarts)).toEqual([0, 0]);
  });

  // Least privilege (test/integration/functions/least-privilege.test.ts runs dry runs, which spend no budget, so it
  // never meets this wait): each grant the wait uses, taken out, fails the restart with the 403 and where to look.
  const budgetGrants = grantsOf(restartPods).filter((g) => g.resource === 'poddisruptionbudgets');
  it('the wait uses list and watch on poddisruptionbudgets', () => {
    expect(budgetGrants.map(grantLabel).sort()).toEqual([
      'policy/poddisruptionbudgets:list',
      'policy/poddisruptionbudgets:watch'
    ]);
  });
  it.each(budgetGrants.map((g) => [grantLabel(g), g] as const))(
    'without %s, the wait fails with the 403 and says where to look',
    async (label, g) => {
      // Prepare
      const name = `pdb-no-${g.verb}`;
      const before = await recovered(name);
      const all = grantsOf(restartPods);
      await setRole(
        c,
        FN,
        all.filter((x) => grantLabel(x) !== label)
      );
      // Act
      let out: Awaited<ReturnType<typeof requestRemediation>>['out'];
      try {
        ({ out } = await requestRemediation(c, FN, 'restart_pods', name));
      } finally {
        await setRole(c, FN, all);
      }
      // Assess: the first pod was evicted, the wait for the second could not watch the budgets
      expect(out?.outcome, out?.summary).toBe('failed');
      expect(out?.summary).toMatch(/^forbidden: /);
      expect(out?.summary).toContain(forbiddenWords(FN, g));
      expect(out?.manualSteps[0]).toContain(`check the RoleBinding cortex-${FN} there`);
      expect(evictionsOf(before)[0]).toEqual(['create', 'pods/eviction', before[0], 201]);
    }
  );
});
