import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudEvent } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cleanupFailedPods from '../../../functions/remediate-cleanup-failed-pods/index.js';
import reportImagePull from '../../../functions/remediate-report-image-pull/index.js';
import reportOom from '../../../functions/remediate-report-oom/index.js';
import restartPods from '../../../functions/remediate-restart-pods/index.js';
import rolloutRestart from '../../../functions/remediate-rollout-restart/index.js';
import scaleUp from '../../../functions/remediate-scale-up/index.js';
import { Events } from '../../../shared/events/catalog.js';
import type { Action } from '../../../shared/events/schemas.js';
import type { AnyFunctionDef } from '../../../shared/runtime/define-function.js';
import { run, type RunningFunction } from '../../../shared/runtime/run.js';
import { startSimulator, type Fault, type KubeObject, type Simulator } from '../../../local/kube-sim/index.js';
import { workload } from '../../../local/kube-sim/seed.js';
import { startFakeSink, type FakeSink } from '../../fakes/sink.js';
import { postEvent } from '../../helpers/events.js';
import type { CompletedData } from '../../helpers/remediation-cluster.js';
import { signed, TEST_KEY_ENV, TEST_KEYS } from '../../helpers/signing.js';
import { cloudEvent } from '../../helpers/healing.js';
import { createSigner } from '../../../shared/trust/signature.js';

/*
 * Each remediation served over real HTTP (binary mode), acting on the cluster simulator through the client-node
 * adapter; every test checks the cluster afterwards, not only the reported outcome.
 */

// Objects as the simulator stores them: plain JSON, read loosely by the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
type Pod = KubeObject & { status?: { phase?: string; reason?: string; containerStatuses?: Json[] } };

let sim: Simulator;
let sink: FakeSink;
let dir: string;
const served = new Map<string, RunningFunction>();
let dryRunScaleUp: RunningFunction;
let counter = 0;

async function serve(def: AnyFunctionDef, extra: Record<string, string> = {}): Promise<RunningFunction> {
  const KUBECONFIG = path.join(dir, 'kubeconfig.yaml');
  return run(def, {
    overrides: {
      PORT: '0',
      HOST: '127.0.0.1',
      K_SINK: sink.url,
      CORTEX_LOG_LEVEL: 'silent',
      KUBECONFIG,
      ...TEST_KEY_ENV,
      ...extra
    }
  });
}

/** Creates an opted-in Deployment + Service `name` in demo through the API, and waits for its pods to be Ready. */
async function createWorkload(name: string, replicas: number): Promise<void> {
  const { deployment, service } = workload({
    name,
    namespace: 'demo',
    image: `ghcr.io/cortex-demo/${name}:1.0.0`,
    port: 3000,
    replicas,
    selfHeal: true
  });
  for (const [url, body] of [
    [`${sim.url}/apis/apps/v1/namespaces/demo/deployments`, deployment],
    [`${sim.url}/api/v1/namespaces/demo/services`, service]
  ] as const) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sim.adminToken}` },
      body: JSON.stringify(body)
    });
    if (res.status !== 201) throw new Error(`creating ${url}: ${res.status} ${await res.text()}`);
  }
  await sim.waitFor(() => readyPods(name).length === replicas && endpointIps(name).length === replicas, {
    message: `${name} ready`
  });
}

const pods = (app: string): Pod[] => sim.list('Pod', 'demo', `app=${app}`) as Pod[];
const live = (app: string): Pod[] => pods(app).filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed');
const isReady = (p: Pod): boolean =>
  p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.ready === true);
const readyPods = (app: string): Pod[] => live(app).filter(isReady);
const endpointIps = (name: string): string[] =>
  (
    (sim.get('Endpoints', 'demo', name)?.['subsets'] as Array<{ addresses?: Array<{ ip: string }> }> | undefined) ?? []
  ).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
const deployment = (name: string): KubeObject & { spec: Json } =>
  sim.get('Deployment', 'demo', name) as KubeObject & { spec: Json };
const containerStates = (app: string) => live(app).flatMap((p) => p.status?.containerStatuses ?? []);

/** Posts a remediation request in binary mode; returns the HTTP status and the remediation.completed it published. */
async function request(
  fn: RunningFunction,
  action: Action,
  service: string,
  o: { params?: Record<string, unknown>; dryRun?: boolean } = {}
): Promise<{ status: number; out: CompletedData | undefined }> {
  const healingId = `h-int-${++counter}`;
  const event = new CloudEvent<unknown>({
    specversion: '1.0',
    id: `req-${counter}`,
    source: '/cortex/healing-coordinator',
    type: Events.RemediationRequested[action].type,
    datacontenttype: 'application/json',
    // Signed as the coordinator signs it: remediations take no other request.
    data: signed('remediation', Events.RemediationRequested[action].type, {
      healingId,
      target: { namespace: 'demo', service },
      params: o.params ?? {},
      dryRun: o.dryRun ?? false,
      reason: `integration test ${counter}`
    })
  });
  const res = await postEvent(fn.url, event, 'binary');
  const found = sink.events.find((e) => (e.data as { healingId?: string } | undefined)?.healingId === healingId);
  return { status: res.status, out: found ? Events.RemediationCompleted.data.parse(found.data) : undefined };
}

async function faulted(name: string, fault: Fault, until: () => boolean, what: string): Promise<void> {
  sim.setFault('demo', name, fault);
  await sim.waitFor(until, { message: what, timeoutMs: 20_000 });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cortex-remediations-'));
  sim = await startSimulator({ port: 0, podStartMs: 100, backoffBaseMs: 200, terminationMs: 200, seed: 'demo' });
  await sim.writeKubeconfig(path.join(dir, 'kubeconfig.yaml'));
  sink = await startFakeSink();
  for (const def of [scaleUp, restartPods, rolloutRestart, cleanupFailedPods, reportOom, reportImagePull])
    served.set(def.name, await serve(def));
  dryRunScaleUp = await serve(scaleUp, { CORTEX_REMEDIATION_MODE: 'dry-run' });
});

afterAll(async () => {
  for (const fn of [...served.values(), dryRunScaleUp]) await fn?.stop();
  await sink?.close();
  await sim?.stop();
  await rm(dir, { recursive: true, force: true });
});

const fn = (name: string): RunningFunction => served.get(name)!;

describe('Remediations against the cluster simulator', () => {
  it('scale_up: a Deployment at 0 replicas gets 1, with a Ready pod and an endpoint', async () => {
    // Prepare
    await createWorkload('rem-scale', 0);
    // Act
    const { status, out } = await request(fn('remediate-scale-up'), 'scale_up', 'rem-scale');
    // Assess
    expect(status).toBe(202);
    expect(out).toMatchObject({
      outcome: 'applied',
      action: 'scale_up',
      audit: { actor: 'system:serviceaccount:cortex:remediate-scale-up', mode: 'enforce' }
    });
    expect(deployment('rem-scale').spec['replicas']).toBe(1);
    await sim.waitFor(() => readyPods('rem-scale').length === 1 && endpointIps('rem-scale').length === 1, {
      message: 'a Ready pod behind the Service'
    });
  });

  it('restart_pods: crashlooping pods (crashloop-transient) are replaced by healthy ones', async () => {
    // Prepare
    await createWorkload('rem-crash', 2);
    await faulted(
      'rem-crash',
      'crashloop-transient',
      () => containerStates('rem-crash').filter((c) => c['restartCount'] >= 3).length === 2,
      'both pods crashlooping'
    );
    const before = live('rem-crash').map((p) => p.metadata.name);
    // Act
    const { status, out } = await request(fn('remediate-restart-pods'), 'restart_pods', 'rem-crash');
    // Assess
    expect(status).toBe(202);
    expect(out?.outcome).toBe('applied');
    expect(out?.changes.map((c) => c.object).sort()).toEqual(before.map((n) => `pods/${n}`).sort());
    const after = await sim.waitFor(
      () => (readyPods('rem-crash').length === 2 && live('rem-crash').length === 2 ? live('rem-crash') : undefined),
      { message: 'two new Ready pods' }
    );
    expect(after.map((p) => p.metadata.name).filter((n) => before.includes(n))).toEqual([]);
    expect(after.flatMap((p) => p.status?.containerStatuses ?? []).map((c) => c['restartCount'])).toEqual([0, 0]);
  });

  it('restart_pods: a noop once nothing crashloops any more', async () => {
    // Act
    const { out } = await request(fn('remediate-restart-pods'), 'restart_pods', 'mcp-tools');
    // Assess
    expect(out).toMatchObject({
      outcome: 'noop',
      summary: 'no pod of deployment demo/mcp-tools (2 pods) is crashlooping now: nothing to restart'
    });
    expect(live('mcp-tools')).toHaveLength(2);
  });

  it('rollout_restart: stale endpoints (endpoints-stale) are filled by a rolled-out set of pods', async () => {
    // Prepare
    await createWorkload('rem-stale', 1);
    await faulted(
      'rem-stale',
      'endpoints-stale',
      () => readyPods('rem-stale').length === 1 && endpointIps('rem-stale').length === 0,
      'a Ready pod missing from the endpoints'
    );
    const before = live('rem-stale').map((p) => p.metadata.name);
    // Act
    const { out } = await request(fn('remediate-rollout-restart'), 'rollout_restart', 'rem-stale');
    // Assess
    expect(out?.outcome).toBe('applied');
    expect(deployment('rem-stale').spec['template'].metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/
    );
    const fresh = await sim.waitFor(
      () => {
        const ready = readyPods('rem-stale').filter((p) => !before.includes(p.metadata.name));
        return ready.length === 1 && live('rem-stale').length === 1 && endpointIps('rem-stale').length === 1
          ? ready
          : undefined;
      },
      { message: 'a new pod in the endpoints' }
    );
    expect(endpointIps('rem-stale')).toEqual([(fresh[0]!.status as { podIP?: string }).podIP]);
  });

  it('cleanup_failed_pods: evicted pods are deleted, running ones stay', async () => {
    // Prepare
    await createWorkload('rem-evict', 1);
    await faulted(
      'rem-evict',
      'evicted',
      () => pods('rem-evict').some((p) => p.status?.reason === 'Evicted') && readyPods('rem-evict').length === 1,
      'an evicted pod and its replacement'
    );
    const running = readyPods('rem-evict').map((p) => p.metadata.name);
    // Act
    const { out } = await request(fn('remediate-cleanup-failed-pods'), 'cleanup_failed_pods', 'rem-evict');
    // Assess
    expect(out?.outcome).toBe('applied');
    expect(out?.changes[0]?.detail).toBe('phase Failed, reason Evicted');
    await sim.waitFor(() => pods('rem-evict').every((p) => p.status?.phase !== 'Failed'), {
      message: 'no Failed pods left'
    });
    expect(readyPods('rem-evict').map((p) => p.metadata.name)).toEqual(running);
  });

  it('report_oom: manual, with a doubled memory limit, and the Deployment unchanged', async () => {
    // Prepare
    await createWorkload('rem-oom', 1);
    await faulted(
      'rem-oom',
      'oom',
      () =>
        containerStates('rem-oom').some(
          (c) => c['lastState']?.terminated?.reason === 'OOMKilled' || c['state']?.terminated?.reason === 'OOMKilled'
        ),
      'an OOM kill'
    );
    const before = deployment('rem-oom');
    // Act
    const { out } = await request(fn('remediate-report-oom'), 'report_oom', 'rem-oom');
    // Assess
    expect(out?.outcome).toBe('manual');
    expect(out?.summary).toMatch(
      /^container server of deployment demo\/rem-oom runs out of memory \(OOMKilled on 1 pod; limit 128Mi\): raise its memory limit to 256Mi/
    );
    expect(out?.manualSteps).toContain(
      'Raise the limit: kubectl set resources deployment/rem-oom -n demo -c server --limits=memory=256Mi'
    );
    expect(out?.changes).toMatchObject([{ verb: 'patch', object: 'deployments/rem-oom', dryRun: true }]);
    const after = deployment('rem-oom');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.spec).toEqual(before.spec);
  });

  it('report_image_pull: manual, naming the image and the container', async () => {
    // Prepare
    await createWorkload('rem-pull', 1);
    await faulted(
      'rem-pull',
      'image-pull',
      () => containerStates('rem-pull').some((c) => /ErrImagePull|ImagePullBackOff/.test(c['state']?.waiting?.reason ?? '')),
      'an image pull error'
    );
    const rv = deployment('rem-pull').metadata.resourceVersion;
    // Act
    const { out } = await request(fn('remediate-report-image-pull'), 'report_image_pull', 'rem-pull');
    // Assess
    expect(out?.outcome).toBe('manual');
    expect(out?.summary).toMatch(
      /^deployment demo\/rem-pull: container server cannot pull image ghcr.io\/cortex-demo\/rem-pull:1.0.0 \((ErrImagePull|ImagePullBackOff) on 1 pod\)/
    );
    expect(out?.manualSteps).toContain(
      'Point the container at a good tag: kubectl set image deployment/rem-pull -n demo server=ghcr.io/cortex-demo/rem-pull:<good-tag>'
    );
    expect(deployment('rem-pull').metadata.resourceVersion).toBe(rv);
  });

  it('legacy-api (not opted in): denied, nothing changed', async () => {
    // Prepare
    const before = deployment('legacy-api');
    const podsBefore = live('legacy-api').map((p) => p.metadata.name);
    // Act
    const restart = await request(fn('remediate-rollout-restart'), 'rollout_restart', 'legacy-api');
    const scale = await request(fn('remediate-scale-up'), 'scale_up', 'legacy-api');
    // Assess
    expect(restart.out).toMatchObject({
      outcome: 'denied',
      summary: 'denied: demo/legacy-api is not opted in (label cortex.dev/self-heal is missing)'
    });
    expect(scale.out?.outcome).toBe('denied');
    expect(deployment('legacy-api').metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(live('legacy-api').map((p) => p.metadata.name)).toEqual(podsBefore);
  });

  it('dry-run mode: scale_up answers manual with the dry-run change, and the Deployment stays at 0', async () => {
    // Prepare
    await createWorkload('rem-dry', 0);
    const rv = deployment('rem-dry').metadata.resourceVersion;
    // Act
    const { out } = await request(dryRunScaleUp, 'scale_up', 'rem-dry');
    // Assess
    expect(out).toMatchObject({
      outcome: 'manual',
      changes: [{ verb: 'patch', object: 'deployments/rem-dry/scale', detail: 'spec.replicas 0 → 1', dryRun: true }],
      manualSteps: [
        'kubectl scale deployment/rem-dry -n demo --replicas=1',
        'kubectl rollout status deployment/rem-dry -n demo'
      ],
      audit: { mode: 'dry-run' }
    });
    expect(deployment('rem-dry').spec['replicas']).toBe(0);
    expect(deployment('rem-dry').metadata.resourceVersion).toBe(rv);
    expect(live('rem-dry')).toEqual([]);
  });

  it('a dry-run request in enforce mode: rollout_restart persists nothing', async () => {
    // Prepare
    const before = deployment('mcp-demo');
    // Act
    const { out } = await request(fn('remediate-rollout-restart'), 'rollout_restart', 'mcp-demo', { dryRun: true });
    // Assess
    expect(out?.outcome).toBe('manual');
    expect(out?.changes[0]?.dryRun).toBe(true);
    expect(deployment('mcp-demo').metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('a 403 from the API server becomes a failed outcome with "forbidden: …" (202, not retried)', async () => {
    // Prepare
    const restore = sim.failRequests({
      method: 'GET',
      path: '/namespaces/demo/deployments',
      code: 403,
      message:
        'deployments.apps is forbidden: User "system:serviceaccount:cortex:remediate-scale-up" cannot list resource "deployments"'
    });
    // Act
    const { status, out } = await request(fn('remediate-scale-up'), 'scale_up', 'mcp-demo');
    restore();
    // Assess
    expect(status).toBe(202);
    expect(out?.outcome).toBe('failed');
    expect(out?.summary).toMatch(/^forbidden: .*cannot list resource "deployments"/);
  });

  it('a 503 from the API server answers 503 (Knative retries) and publishes nothing', async () => {
    // Prepare
    const restore = sim.failRequests({ method: 'GET', path: '/namespaces/demo/deployments', code: 503 });
    // Act
    const { status, out } = await request(fn('remediate-scale-up'), 'scale_up', 'mcp-demo');
    restore();
    // Assess
    expect(status).toBe(503);
    expect(out).toBeUndefined();
  });
});

describe('Remediations take only requests the coordinator signed (a healthy opted-in workload stays untouched)', () => {
  const type = Events.RemediationRequested.rollout_restart.type;
  const base = (healingId: string) => ({
    healingId,
    target: { namespace: 'demo', service: 'mcp-demo' },
    params: {},
    dryRun: false,
    reason: 'forged by a test'
  });

  /** Posts a rollout_restart request with the given data under a fresh CloudEvent id; returns its answer. */
  async function post(
    data: Record<string, unknown>,
    id = `forged-${++counter}`
  ): Promise<{ status: number; out: CompletedData | undefined }> {
    const event = cloudEvent(Events.RemediationRequested.rollout_restart, data, {}, id);
    const before = sink.events.length;
    const res = await postEvent(fn('remediate-rollout-restart').url, event, 'binary');
    const found = sink.events.slice(before).find((e) => (e.data as { healingId?: string }).healingId === data.healingId);
    return { status: res.status, out: found ? Events.RemediationCompleted.data.parse(found.data) : undefined };
  }
  const unchanged = () => {
    const d = deployment('mcp-demo');
    return {
      generation: d.metadata.generation,
      resourceVersion: d.metadata.resourceVersion,
      pods: live('mcp-demo').map((p) => p.metadata.name)
    };
  };

  it.each([
    ['unsigned', (h: string) => base(h)],
    ['forged (another key)', (h: string) => signed('x'.repeat(64), type, base(h))],
    [
      'forged (changed after signing)',
      (h: string) => ({ ...signed('remediation', type, { ...base(h), dryRun: true }), dryRun: false })
    ],
    ['expired', (h: string) => signed('remediation', type, base(h), { ttlMs: -60_000 })]
  ])('%s: denied with the refusal, 202, nothing read or changed', async (kind, make) => {
    // Prepare
    const before = unchanged();
    const healingId = `h-refuse-${++counter}`;
    // Act
    const { status, out } = await post(make(healingId));
    // Assess
    expect(status).toBe(202);
    expect(out).toMatchObject({ outcome: 'denied', refusal: kind.split(' ')[0], changes: [], action: 'rollout_restart' });
    expect(out?.summary).toMatch(/^refused \((unsigned|forged|expired)\): .*nothing was changed$/);
    expect(unchanged()).toEqual(before);
  });

  it('replayed: a signed request acts once; the same request under a new CloudEvent id is denied and changes nothing', async () => {
    // Prepare
    const data = signed('remediation', type, { ...base(`h-replay-${++counter}`), reason: 'a real request' });
    const gen0 = deployment('mcp-demo').metadata.generation as number;
    // Act
    const first = await post(data, `genuine-${counter}`);
    await sim.waitFor(() => readyPods('mcp-demo').length === 1, { message: 'mcp-demo rolled out' });
    const afterFirst = unchanged();
    const redelivery = await post(data, `genuine-${counter}`);
    const copy = await post(data, `copy-${counter}`);
    // Assess
    expect(first.out).toMatchObject({ outcome: 'applied' });
    expect(afterFirst.generation).toBe(gen0 + 1);
    expect([redelivery.status, redelivery.out]).toEqual([202, undefined]);
    expect(copy.out).toMatchObject({ outcome: 'denied', refusal: 'replayed' });
    expect(unchanged().generation).toBe(afterFirst.generation);
  });

  it('signs its answers with the remediation key', async () => {
    // Prepare
    const before = sink.events.length;
    // Act
    await post(base(`h-answer-${++counter}`));
    // Assess
    const answer = sink.events.slice(before).find((e) => e.type === Events.RemediationCompleted.type)!;
    const verdict = createSigner([TEST_KEYS.remediation]).verify(answer.type, answer.data, new Date());
    expect(verdict.ok).toBe(true);
  });
});
