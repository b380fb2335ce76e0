import { applyObjects, requestToken } from '../local/kube-sim/apply.js';
import { startSimulator } from '../local/kube-sim/index.js';
import { benchControlLoop } from './kube-sim-loop.js';
import { readRbacManifests } from '../local/stack/identities.js';
import { measurement, quantile, type Measurement } from './measure.js';

/*
 * What authentication and RBAC cost the simulator per request: a list of the demo pods as a ServiceAccount (RS256
 * token verified, ClusterRoleBindings and RoleBindings walked, knative/'s RBAC loaded) against the same list as the
 * admin (system:masters: no RBAC walk), alternating request by request so both see the same machine noise. And what
 * paging costs: 1,000 pods read in pages of 100 against one unpaged list. And what the control loop costs as the
 * cluster grows (kube-sim-loop.ts).
 */

const RUNS = 400;
const PAGED_RUNS = 30;

async function timed(url: string, token: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return performance.now() - t0;
}

export async function benchKubeSim(): Promise<Measurement[]> {
  const sim = await startSimulator({ seed: 'demo', podStartMs: 600_000 });
  try {
    await applyObjects(sim.url, sim.adminToken, await readRbacManifests('knative'));
    const sa = await requestToken(sim.url, sim.adminToken, 'cortex', 'check-pod-status');
    const pods = `${sim.url}/api/v1/namespaces/demo/pods`;
    const asSa: number[] = [];
    const asAdmin: number[] = [];
    for (let i = 0; i < RUNS + 20; i++) {
      const [a, b] = [await timed(pods, sa), await timed(pods, sim.adminToken)];
      if (i < 20) continue; // warm-up
      asSa.push(a);
      asAdmin.push(b);
    }

    await applyObjects(sim.url, sim.adminToken, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paged' } } as never
    ]);
    for (let i = 0; i < 1000; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          fetch(`${sim.url}/api/v1/namespaces/paged/pods`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${sim.adminToken}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ metadata: { name: `p-${i + j}` }, spec: { containers: [{ name: 'a', image: 'b' }] } })
          })
        )
      );
    const whole: number[] = [];
    const paged: number[] = [];
    for (let i = 0; i < PAGED_RUNS; i++) {
      whole.push(await timed(`${sim.url}/api/v1/namespaces/paged/pods`, sim.adminToken));
      const t0 = performance.now();
      let token = '';
      do {
        const res = await fetch(`${sim.url}/api/v1/namespaces/paged/pods?limit=100${token ? `&continue=${token}` : ''}`, {
          headers: { Authorization: `Bearer ${sim.adminToken}` }
        });
        token = ((await res.json()) as { metadata: { continue?: string } }).metadata.continue ?? '';
      } while (token);
      paged.push(performance.now() - t0);
    }
    const results = [
      measurement(
        'kube-sim list pods as a ServiceAccount p50',
        quantile(asSa, 0.5),
        'ms',
        quantile(asAdmin, 0.5),
        'baseline: the admin'
      ),
      measurement(
        'kube-sim list pods as a ServiceAccount p99',
        quantile(asSa, 0.99),
        'ms',
        quantile(asAdmin, 0.99),
        'baseline: the admin'
      ),
      measurement(
        'kube-sim 1,000 pods in pages of 100 p50',
        quantile(paged, 0.5),
        'ms',
        quantile(whole, 0.5),
        'baseline: one unpaged list'
      )
    ];
    await sim.stop();
    return [...results, ...(await benchControlLoop())];
  } finally {
    await sim.stop();
  }
}
