import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeObject, type Simulator } from '../../../local/kube-sim/index.js';
import { asAdmin, createWorkload, livePods, startTestSimulator } from '../../helpers/kube-sim.js';
import { kubectl, parseTable } from '../../helpers/kubectl.js';

/*
 * PodDisruptionBudgets and the Eviction API over HTTP: the disruption controller's status, evictions that spend the
 * budget, refusals with the API server's 429, the unhealthy-pod policies, and kubectl 1.20 (get pdb, drain).
 */

interface Status {
  kind: string;
  status: string;
  message?: string;
  reason?: string;
  code: number;
  details?: { causes?: Array<{ reason: string; message: string }>; retryAfterSeconds?: number };
}

let sim: Simulator;
let kc: string;

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: asAdmin(sim, body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Status };
};
const evict = (pod: string, query = '') =>
  call('POST', `/api/v1/namespaces/demo/pods/${pod}/eviction${query}`, {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name: pod, namespace: 'demo' }
  });
const budget = (name: string, app: string, spec: Record<string, unknown>) =>
  call('POST', '/apis/policy/v1/namespaces/demo/poddisruptionbudgets', {
    metadata: { name },
    spec: { selector: { matchLabels: { app } }, ...spec }
  });
const pdbStatus = (name: string) =>
  sim.get('PodDisruptionBudget', 'demo', name)?.status as Record<string, unknown> | undefined;
const readyPods = (app: string) =>
  sim
    .list('Pod', 'demo', `app=${app}`)
    .filter(
      (p) =>
        !p.metadata.deletionTimestamp &&
        ((p.status?.['conditions'] as Array<{ type: string; status: string }> | undefined) ?? []).some(
          (c) => c.type === 'Ready' && c.status === 'True'
        )
    );

beforeAll(async () => {
  ({ sim, kubeconfig: kc } = await startTestSimulator({ terminationMs: 1500 }));
  await createWorkload(sim, 'ev-ok', { replicas: 3 });
  await createWorkload(sim, 'ev-crash', { replicas: 2 });
  await sim.waitFor(() => readyPods('ev-ok').length === 3 && readyPods('ev-crash').length === 2, { message: 'ready' });
});
afterAll(async () => {
  await sim?.stop();
});

describe('Simulator: PodDisruptionBudgets and evictions', () => {
  it('the disruption controller fills the status, and kubectl prints it', async () => {
    // Act
    const created = await budget('ev-ok', 'ev-ok', { minAvailable: 2 });
    const status = await sim.waitFor(() => (pdbStatus('ev-ok')?.['observedGeneration'] ? pdbStatus('ev-ok') : undefined));
    const table = parseTable((await kubectl(kc, ['get', 'pdb', '-n', 'demo'])).stdout);
    // Assess
    expect(created.status).toBe(201);
    expect(status).toMatchObject({
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      disruptionsAllowed: 1,
      observedGeneration: 1,
      conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '' }]
    });
    expect(table).toContainEqual(
      expect.objectContaining({ NAME: 'ev-ok', 'MIN AVAILABLE': '2', 'MAX UNAVAILABLE': 'N/A', 'ALLOWED DISRUPTIONS': '1' })
    );
  });

  it('an eviction spends the one allowed disruption; the next is refused with 429 and the budget words', async () => {
    // Prepare
    const [first, second] = livePods(sim, 'ev-ok');
    // Act
    const ok = await evict(first!);
    const evicted = sim.get('Pod', 'demo', first!) as KubeObject;
    const refused = await evict(second!);
    // Assess
    expect(ok).toMatchObject({ status: 201, body: { kind: 'Status', status: 'Success', code: 201 } });
    expect(evicted.metadata.deletionTimestamp).toBeDefined();
    expect(evicted.status?.['conditions']).toContainEqual(
      expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' })
    );
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: {
        causes: [
          { reason: 'DisruptionBudget', message: 'The disruption budget ev-ok needs 2 healthy pods and has 2 currently' }
        ]
      },
      code: 429
    });
    expect(sim.get('Pod', 'demo', second!)?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('once the replacement is ready the budget allows the next eviction again', async () => {
    // Prepare
    await sim.waitFor(() => pdbStatus('ev-ok')?.['disruptionsAllowed'] === 1 && readyPods('ev-ok').length === 3, {
      message: 'the budget back at 1'
    });
    const pod = readyPods('ev-ok')[0]!.metadata.name;
    // Act
    const dry = await evict(pod, '?dryRun=All');
    const afterDry = pdbStatus('ev-ok')?.['disruptionsAllowed'];
    const real = await evict(pod);
    // Assess
    expect(dry.status).toBe(201);
    expect(afterDry).toBe(1);
    expect(real.status).toBe(201);
  });

  it('unready pods: refused under IfHealthyBudget while the budget lacks healthy pods, evicted under AlwaysAllow', async () => {
    // Prepare
    sim.setFault('demo', 'ev-crash', 'crashloop');
    await sim.waitFor(() => readyPods('ev-crash').length === 0 && livePods(sim, 'ev-crash').length === 2, {
      message: 'both pods unready'
    });
    await budget('ev-crash', 'ev-crash', { minAvailable: 2 });
    await sim.waitFor(() => pdbStatus('ev-crash')?.['observedGeneration'] === 1);
    const pod = livePods(sim, 'ev-crash')[0]!;
    // Act
    const refused = await evict(pod);
    const patched = await fetch(`${sim.url}/apis/policy/v1/namespaces/demo/poddisruptionbudgets/ev-crash`, {
      method: 'PATCH',
      headers: asAdmin(sim, { 'Content-Type': 'application/merge-patch+json' }),
      body: JSON.stringify({ spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } })
    });
    await sim.waitFor(() => pdbStatus('ev-crash')?.['observedGeneration'] === 2);
    const allowed = await evict(pod);
    // Assess
    expect(refused.status).toBe(429);
    expect(refused.body.details?.causes?.[0]?.message).toBe(
      'The disruption budget ev-crash needs 2 healthy pods and has 0 currently'
    );
    expect(patched.status).toBe(200);
    expect(allowed.status).toBe(201);
    expect(pdbStatus('ev-crash')?.['disruptionsAllowed']).toBe(0);
  });

  it('errors: a missing pod 404, a name mismatch 400, two budgets 500', async () => {
    // Prepare
    await budget('ev-ok-2', 'ev-ok', { maxUnavailable: 1 });
    const pod = (await sim.waitFor(() => readyPods('ev-ok')[0])).metadata.name;
    // Act
    const missing = await evict('nope');
    const mismatch = await call('POST', `/api/v1/namespaces/demo/pods/${pod}/eviction`, { metadata: { name: 'other' } });
    const two = await evict(pod);
    // Assess
    expect(missing).toMatchObject({ status: 404, body: { message: 'pods "nope" not found' } });
    expect(mismatch).toMatchObject({ status: 400, body: { message: 'name in URL does not match name in Eviction object' } });
    expect(two).toMatchObject({
      status: 500,
      body: { message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' }
    });
  });

  it('an invalid budget is a 422', async () => {
    // Act
    const both = await budget('bad', 'x', { minAvailable: 1, maxUnavailable: 1 });
    const policy = await budget('bad2', 'x', { minAvailable: '150%', unhealthyPodEvictionPolicy: 'Sometimes' });
    // Assess
    expect(both.status).toBe(422);
    expect(both.body.message).toMatch(
      /^PodDisruptionBudget\.policy "bad" is invalid: spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set$/
    );
    expect(policy.body.message).toBe(
      'PodDisruptionBudget.policy "bad2" is invalid: [spec.minAvailable: Invalid value: "150%": must not be greater than 100%, spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"]'
    );
  });

  it('kubectl 1.20 drain evicts through the API and is held back by the budget', async () => {
    // Prepare: ev-ok back to one budget, which now needs one healthy pod of three
    await call('DELETE', '/apis/policy/v1/namespaces/demo/poddisruptionbudgets/ev-ok-2');
    await fetch(`${sim.url}/apis/policy/v1/namespaces/demo/poddisruptionbudgets/ev-ok`, {
      method: 'PATCH',
      headers: asAdmin(sim, { 'Content-Type': 'application/merge-patch+json' }),
      body: JSON.stringify({ spec: { minAvailable: 1 } })
    });
    await sim.waitFor(() => pdbStatus('ev-ok')?.['disruptionsAllowed'] === 2 && readyPods('ev-ok').length === 3, {
      message: 'ev-ok settled (minAvailable 1)'
    });
    // Act
    const r = await kubectl(
      kc,
      ['drain', 'sim-node-1', '--pod-selector=app=ev-ok', '--ignore-daemonsets', '--timeout=30s'],
      {
        timeoutMs: 60_000
      }
    );
    // Assess: two ready pods go at once, the third is refused until a replacement is ready, then goes too
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/node\/sim-node-1 cordoned/);
    expect(r.stdout.match(/pod\/ev-ok-\S+ evicted/g)!.length).toBeGreaterThanOrEqual(3);
    expect(r.stderr).toMatch(/Cannot evict pod as it would violate the pod's disruption budget/);
    expect(sim.writes().filter((w) => w.resource === 'pods/eviction' && w.code === 429).length).toBeGreaterThan(0);
    await kubectl(kc, ['uncordon', 'sim-node-1']);
  });
});
