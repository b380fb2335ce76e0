import { CloudEvent } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import checkDependencies from '../../../functions/check-dependencies/index.js';
import checkDeploymentConfig from '../../../functions/check-deployment-config/index.js';
import checkEvents from '../../../functions/check-events/index.js';
import checkFailedPods from '../../../functions/check-failed-pods/index.js';
import checkNetworkPolicies from '../../../functions/check-network-policies/index.js';
import checkPodLogs from '../../../functions/check-pod-logs/index.js';
import checkPodStatus from '../../../functions/check-pod-status/index.js';
import checkResourceLimits from '../../../functions/check-resource-limits/index.js';
import checkServiceEndpoints from '../../../functions/check-service-endpoints/index.js';
import type { Fault, Simulator } from '../../../local/kube-sim/index.js';
import { Events } from '../../../shared/events/catalog.js';
import { CHECKS, type CheckName } from '../../../shared/events/schemas.js';
import { createKubePort } from '../../../shared/kube/client-node.js';
import type { KubePort } from '../../../shared/kube/port.js';
import type { AnyFunctionDef } from '../../../shared/runtime/define-function.js';
import { run, type RunningFunction } from '../../../shared/runtime/run.js';
import { startFakeSink, type FakeSink } from '../../fakes/sink.js';
import type { CompletedData } from '../../helpers/check-cluster.js';
import { postEvent } from '../../helpers/events.js';
import { createWorkload, startTestSimulator } from '../../helpers/kube-sim.js';
import { signed, TEST_KEY_ENV, TEST_KEYS } from '../../helpers/signing.js';
import { cloudEvent } from '../../helpers/healing.js';
import { createSigner } from '../../../shared/trust/signature.js';

/*
 * The nine checks served over real HTTP (binary mode), reading the cluster simulator through the client-node
 * adapter built from KUBECONFIG. Faults are injected with a real API call (the fault annotation, a scale), and the
 * findings are what the fake sink received.
 */

const DEFS: Record<CheckName, AnyFunctionDef> = {
  'pod-status': checkPodStatus,
  'service-endpoints': checkServiceEndpoints,
  'pod-logs': checkPodLogs,
  'deployment-config': checkDeploymentConfig,
  'resource-limits': checkResourceLimits,
  'network-policies': checkNetworkPolicies,
  'failed-pods': checkFailedPods,
  events: checkEvents,
  dependencies: checkDependencies
};

// Objects as the simulator stores them: plain JSON, read loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

let sim: Simulator;
let sink: FakeSink;
let kube: KubePort;
const served = new Map<CheckName, RunningFunction>();
let counter = 0;

const pods = (app: string): Json[] =>
  sim.list('Pod', 'demo', `app=${app}`).filter((p) => !p.metadata.deletionTimestamp) as Json[];
const status = (p: Json): Json => p['status']?.containerStatuses?.[0] ?? {};
const ready = (app: string): boolean => pods(app).some((p) => status(p).ready === true);

/** Creates an opted-in workload `name` (Deployment + Service, label app=name) and waits until a pod is Ready. */
async function workload(name: string): Promise<void> {
  await createWorkload(sim, name);
  await sim.waitFor(() => ready(name), { message: `${name} ready`, timeoutMs: 10_000 });
}

/** Injects a fault the way an operator would: annotate the Deployment through the API. */
async function inject(name: string, fault: Fault): Promise<void> {
  await kube.patchDeployment(
    'demo',
    name,
    { metadata: { annotations: { 'sim.cortex.dev/fault': fault } } },
    { strategy: 'merge' }
  );
}

function request(
  service: string,
  checks: readonly CheckName[],
  phase: 'diagnose' | 'verify' = 'diagnose',
  // As the coordinator sends them: verification under its own type, which only the verify checks subscribe to.
  type = phase === 'verify' ? Events.VerificationRequested.type : Events.DiagnosisRequested.type
): { event: CloudEvent<unknown>; healingId: string } {
  const n = ++counter;
  const healingId = `h-it-${n}`;
  const event = new CloudEvent<unknown>({
    specversion: '1.0',
    id: `dr-it-${n}`,
    source: '/cortex/healing-coordinator',
    type,
    datacontenttype: 'application/json',
    // Signed as the coordinator signs it: checks take no other request.
    data: signed('diagnosis', type, {
      healingId,
      target: { namespace: 'demo', service },
      phase,
      checks: [...checks]
    })
  });
  return { event, healingId };
}

/** POSTs a diagnosis.requested to one check (binary mode) and returns the diagnosis.completed it published. */
async function diagnose(
  check: CheckName,
  service: string,
  phase: 'diagnose' | 'verify' = 'diagnose'
): Promise<CompletedData> {
  const { event, healingId } = request(service, [check], phase);
  const res = await postEvent(served.get(check)!.url, event, 'binary');
  expect(res.status, await res.clone().text()).toBe(202);
  const out = sink.events.find((e) => (e.data as Json)['healingId'] === healingId && (e.data as Json)['check'] === check);
  expect(out, `${check} published nothing for ${healingId}`).toBeDefined();
  expect(out).toMatchObject({
    type: Events.DiagnosisCompleted.type,
    source: `/cortex/check-${check}`,
    causationid: event.id
  });
  return Events.DiagnosisCompleted.data.parse(out!.data);
}

beforeAll(async () => {
  let kubeconfig: string;
  ({ sim, kubeconfig } = await startTestSimulator());
  sink = await startFakeSink();
  kube = createKubePort({ kubeconfigPath: kubeconfig, timeoutMs: 5_000 });
  const overrides = {
    PORT: '0',
    HOST: '127.0.0.1',
    K_SINK: sink.url,
    CORTEX_LOG_LEVEL: 'silent',
    KUBECONFIG: kubeconfig,
    CORTEX_CHECK_WAIT_MS: '5000',
    CORTEX_CHECK_POLL_MS: '100',
    ...TEST_KEY_ENV
  };
  for (const [check, def] of Object.entries(DEFS) as [CheckName, AnyFunctionDef][])
    served.set(check, await run(def, { overrides }));
});

afterAll(async () => {
  await Promise.all([...served.values()].map((f) => f.stop()));
  await sink?.close();
  await sim?.stop();
});

describe('Checks over real HTTP against the cluster simulator', () => {
  it.each([
    ['unsigned', (d: Record<string, unknown>) => d],
    ['forged', (d: Record<string, unknown>) => signed('x'.repeat(64), Events.DiagnosisRequested.type, d)],
    ['expired', (d: Record<string, unknown>) => signed('diagnosis', Events.DiagnosisRequested.type, d, { ttlMs: -60_000 })]
  ])('takes no %s request: 202, no answer (an answer would count for a healing someone else named)', async (_kind, make) => {
    // Prepare
    const healingId = `h-refused-${++counter}`;
    const data = make({
      healingId,
      target: { namespace: 'demo', service: 'mcp-demo' },
      phase: 'diagnose',
      checks: ['pod-status']
    });
    const event = cloudEvent(Events.DiagnosisRequested, data);
    // Act
    const res = await postEvent(served.get('pod-status')!.url, event, 'binary');
    // Assess
    expect(res.status).toBe(202);
    expect(sink.events.some((e) => (e.data as Json)['healingId'] === healingId)).toBe(false);
  });

  it('answers a request once per healing, phase and attempt; signs the answer with the diagnosis key', async () => {
    // Prepare
    const { event, healingId } = request('mcp-demo', ['failed-pods']);
    const copy = new CloudEvent<unknown>({ ...event, id: `${event.id}-copy` });
    // Act
    await postEvent(served.get('failed-pods')!.url, event, 'binary');
    await postEvent(served.get('failed-pods')!.url, copy, 'structured');
    // Assess
    const answers = sink.events.filter((e) => (e.data as Json)['healingId'] === healingId);
    expect(answers).toHaveLength(1);
    expect(createSigner([TEST_KEYS.diagnosis]).verify(answers[0]!.type, answers[0]!.data, new Date()).ok).toBe(true);
  });

  it('answers 202 and publishes nothing when the request does not list the check', async () => {
    // Prepare
    const { event, healingId } = request('mcp-demo', ['events']);
    // Act
    const res = await postEvent(served.get('pod-status')!.url, event, 'binary');
    // Assess
    expect(res.status).toBe(202);
    expect(sink.events.some((e) => (e.data as Json)['healingId'] === healingId)).toBe(false);
  });

  it('finds the seeded demo workload healthy in every check', async () => {
    // Prepare
    const endpointIps = (): number =>
      ((sim.get('Endpoints', 'demo', 'mcp-demo') as Json | undefined)?.['subsets'] ?? []).flatMap(
        (s: Json) => s['addresses'] ?? []
      ).length;
    await sim.waitFor(() => ready('mcp-demo') && endpointIps() > 0, { message: 'mcp-demo ready with endpoints' });
    // Act
    const results = await Promise.all(CHECKS.filter((c) => c !== 'pod-logs').map((c) => diagnose(c, 'mcp-demo')));
    // Assess
    expect(results.map((r) => [r.check, r.verdict])).toEqual(
      CHECKS.filter((c) => c !== 'pod-logs').map((c) => [c, 'healthy'])
    );
  });

  it('scaled to zero: deployment-config recommends scale_up, pod-status reports no pods', async () => {
    // Prepare
    await workload('zero-app');
    await kube.scaleDeployment('demo', 'zero-app', 0);
    await sim.waitFor(() => pods('zero-app').length === 0, { message: 'zero-app scaled to zero' });
    // Act
    const config = await diagnose('deployment-config', 'zero-app');
    const podStatus = await diagnose('pod-status', 'zero-app');
    // Assess
    expect(config).toMatchObject({
      verdict: 'problem',
      summary: 'Deployment demo/zero-app is scaled to zero (0 replicas desired)'
    });
    // A workload created without kubectl apply has no last-applied manifest: the scale-down event says "from 1".
    expect(config.recommendation).toEqual({
      action: 'scale_up',
      reason: expect.stringMatching(
        /^no replicas: restore 1 \(the event "Scaled down replica set zero-app-\w+ to 0 from 1"\)$/
      ),
      params: { replicas: 1, source: 'scaling-event', sourceDetail: expect.stringContaining('to 0 from 1') }
    });
    expect(podStatus).toMatchObject({
      verdict: 'problem',
      summary: 'No running pods for demo/zero-app: Deployment zero-app is scaled to 0 replicas'
    });
  });

  it("crashloop: pod-status recommends restart_pods, pod-logs finds the previous container's error, events count BackOff", async () => {
    // Prepare
    await workload('crash-app');
    await inject('crash-app', 'crashloop');
    await sim.waitFor(
      () =>
        pods('crash-app').some(
          (p) => status(p).state?.waiting?.reason === 'CrashLoopBackOff' && status(p).restartCount >= 1
        ),
      {
        message: 'crash-app in CrashLoopBackOff'
      }
    );
    const name = pods('crash-app')[0]!['metadata'].name as string;
    // Act
    const podStatus = await diagnose('pod-status', 'crash-app');
    const logs = await diagnose('pod-logs', 'crash-app');
    const events = await diagnose('events', 'crash-app');
    // Assess
    expect(podStatus.recommendation).toMatchObject({ action: 'restart_pods', params: { pods: [name] } });
    expect(podStatus.summary).toContain('CrashLoopBackOff');
    expect(logs.verdict).toBe('problem');
    expect(logs.summary).toContain('including the previous container run');
    expect(logs.evidence).toContainEqual(
      expect.objectContaining({
        subject: `pod/${name} container server (previous run)`,
        reason: 'connection_refused',
        detail: expect.stringContaining('ECONNREFUSED')
      })
    );
    expect(events.verdict).toBe('problem');
    expect(events.evidence.find((e) => e.reason === 'BackOff')?.subject).toBe(`pod/${name}`);
    const deps = await diagnose('dependencies', 'crash-app');
    expect(deps).toMatchObject({ verdict: 'problem', symptom: 'external:10.10.4.7:6379' });
    expect(deps.summary).toBe(
      'demo/crash-app cannot reach 10.10.4.7:6379: 10.10.4.7:6379 is no Service of the cluster (an outside address)'
    );
  });

  it('a dependency down: postgres at zero, mcp-demo crash-loops; dependencies names demo/postgres and how to restore it', async () => {
    // Prepare
    await kube.scaleDeployment('demo', 'postgres', 0);
    await sim.waitFor(() => pods('mcp-demo').some((p) => status(p).state?.waiting?.reason === 'CrashLoopBackOff'), {
      message: 'mcp-demo crash-looping without postgres'
    });
    // Act
    const deps = await diagnose('dependencies', 'mcp-demo');
    const config = await diagnose('deployment-config', 'postgres');
    await kube.scaleDeployment('demo', 'postgres', 1);
    await sim.waitFor(() => ready('postgres') && ready('mcp-demo'), { message: 'postgres and mcp-demo back' });
    // Assess
    expect(deps).toMatchObject({ verdict: 'problem', symptom: 'down:demo/postgres' });
    expect(deps.summary).toMatch(
      /^demo\/mcp-demo cannot reach its dependency demo\/postgres: Service demo\/postgres has no ready endpoints/
    );
    expect(deps.dependencies).toEqual([
      expect.objectContaining({
        state: 'down',
        service: { namespace: 'demo', name: 'postgres' },
        readyEndpoints: 0,
        deployment: 'postgres',
        optedIn: true,
        evidence: expect.arrayContaining([expect.stringContaining('ECONNREFUSED 10.96.0.15:5432')]),
        commands: expect.arrayContaining(['kubectl scale deployment/postgres -n demo --replicas=1'])
      })
    ]);
    expect(config.evidence).toContainEqual(
      expect.objectContaining({ reason: 'ScalingReplicaSet', detail: expect.stringMatching(/to 0 from 1$/), count: 1 })
    );
    expect(config.recommendation?.params).toMatchObject({ replicas: 1, source: 'last-applied' });
  });

  it('image-pull: pod-status recommends report_image_pull naming the image', async () => {
    // Prepare
    await workload('pull-app');
    await inject('pull-app', 'image-pull');
    await sim.waitFor(
      () => pods('pull-app').some((p) => ['ErrImagePull', 'ImagePullBackOff'].includes(status(p).state?.waiting?.reason)),
      { message: 'pull-app pulling' }
    );
    // Act
    const out = await diagnose('pod-status', 'pull-app');
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.recommendation).toMatchObject({
      action: 'report_image_pull',
      params: { image: 'ghcr.io/cortex-demo/pull-app:1.0.0', container: 'server' }
    });
  });

  it('oom: resource-limits suggests a limit, double the current one', async () => {
    // Prepare
    await workload('oom-app');
    await inject('oom-app', 'oom');
    await sim.waitFor(
      () =>
        pods('oom-app').some(
          (p) =>
            status(p).lastState?.terminated?.reason === 'OOMKilled' || status(p).state?.terminated?.reason === 'OOMKilled'
        ),
      {
        message: 'oom-app OOMKilled'
      }
    );
    // Act
    const out = await diagnose('resource-limits', 'oom-app');
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.recommendation).toMatchObject({
      action: 'report_oom',
      params: { container: 'server', currentLimit: '128Mi', suggestedLimit: '256Mi' }
    });
  });

  it('endpoints-stale: service-endpoints recommends rollout_restart', async () => {
    // Prepare
    await workload('stale-app');
    await inject('stale-app', 'endpoints-stale');
    await sim.waitFor(
      () =>
        ((sim.get('Endpoints', 'demo', 'stale-app') as Json | undefined)?.['subsets'] ?? []).every(
          (s: Json) => !(s['addresses'] ?? []).length
        ),
      {
        message: 'stale-app endpoints empty'
      }
    );
    // Act
    const out = await diagnose('service-endpoints', 'stale-app');
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toMatch(/^Service demo\/stale-app has no ready endpoints although 1 selected pod is Ready/);
    expect(out.recommendation?.action).toBe('rollout_restart');
  });

  it('evicted: failed-pods recommends cleanup_failed_pods naming the evicted pod', async () => {
    // Prepare
    await workload('evict-app');
    const victim = pods('evict-app')[0]!['metadata'].name as string;
    await inject('evict-app', 'evicted');
    await sim.waitFor(() => (sim.get('Pod', 'demo', victim) as Json | undefined)?.['status']?.reason === 'Evicted', {
      message: 'evict-app evicted'
    });
    // Act
    const out = await diagnose('failed-pods', 'evict-app');
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.recommendation).toMatchObject({ action: 'cleanup_failed_pods', params: { pods: [victim] } });
  });

  it('network-block: network-policies names the deny-all policy', async () => {
    // Prepare
    await workload('block-app');
    await inject('block-app', 'network-block');
    await sim.waitFor(() => sim.get('NetworkPolicy', 'demo', 'block-app-sim-deny-all'), { message: 'deny-all policy' });
    // Act
    const out = await diagnose('network-policies', 'block-app');
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toMatch(
      /^NetworkPolicy block-app-sim-deny-all blocks the chat's traffic .* to demo\/block-app on port 3000 \(http\)\/TCP/
    );
    expect(out.recommendation).toBeUndefined();
  });

  it('a missing Service is a plain finding, not a crash', async () => {
    // Act
    const endpoints = await diagnose('service-endpoints', 'ghost');
    const config = await diagnose('deployment-config', 'ghost');
    // Assess
    expect(endpoints).toMatchObject({ verdict: 'problem', summary: 'Service demo/ghost does not exist' });
    expect(config).toMatchObject({
      verdict: 'problem',
      summary: 'No Deployment behind demo/ghost: neither Service demo/ghost nor a Deployment named ghost exists'
    });
  });

  it('verify phase: pod-status waits for a scaled-up workload to become Ready', async () => {
    // Prepare
    await workload('verify-app');
    await kube.scaleDeployment('demo', 'verify-app', 0);
    await sim.waitFor(() => pods('verify-app').length === 0, { message: 'verify-app scaled to zero' });
    await kube.scaleDeployment('demo', 'verify-app', 1);
    // Act
    const out = await diagnose('pod-status', 'verify-app', 'verify');
    // Assess
    expect(out).toMatchObject({ phase: 'verify', verdict: 'healthy', summary: '1/1 pods of demo/verify-app are Ready' });
  });

  it('a verify check still verifies on a diagnosis.requested with phase verify (a replay, an older coordinator)', async () => {
    // Prepare
    const { event, healingId } = request('mcp-demo', ['service-endpoints'], 'verify', Events.DiagnosisRequested.type);
    // Act
    const res = await postEvent(served.get('service-endpoints')!.url, event, 'binary');
    // Assess
    expect(res.status).toBe(202);
    const out = sink.events.filter((e) => (e.data as Json)['healingId'] === healingId);
    expect(out.map((e) => [e.type, (e.data as Json)['check'], (e.data as Json)['phase']])).toEqual([
      [Events.DiagnosisCompleted.type, 'service-endpoints', 'verify']
    ]);
  });

  it('verification.requested is a type only the verify checks take: another check answers 400 and publishes nothing', async () => {
    // Prepare
    const { event, healingId } = request('mcp-demo', ['pod-logs'], 'verify');
    // Act
    const res = await postEvent(served.get('pod-logs')!.url, event, 'binary');
    // Assess
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(Events.VerificationRequested.type);
    expect(sink.events.filter((e) => (e.data as Json)['healingId'] === healingId)).toEqual([]);
  });

  it('maps API failures: 403 becomes inconclusive, 503 makes the runtime answer 503 for a retry', async () => {
    // Prepare
    const forbid = sim.failRequests({ method: 'GET', path: '/api/v1/namespaces/demo/events', code: 403, times: 1 });
    // Act
    const forbidden = await diagnose('events', 'mcp-demo');
    forbid();
    const unavailable = sim.failRequests({
      method: 'GET',
      path: '/apis/networking.k8s.io/v1/namespaces/demo/networkpolicies',
      code: 503,
      times: 1
    });
    const res = await postEvent(
      served.get('network-policies')!.url,
      request('mcp-demo', ['network-policies']).event,
      'binary'
    );
    unavailable();
    // Assess
    expect(forbidden.verdict).toBe('inconclusive');
    expect(forbidden.summary).toMatch(/^forbidden: listing events in demo failed: 403/);
    expect(res.status).toBe(503);
  });

  it('runs all nine checks in parallel on one target, each answering once', async () => {
    // Prepare
    const { event, healingId } = request('mcp-demo', CHECKS);
    // Act
    const statuses = await Promise.all(
      CHECKS.map((c) => postEvent(served.get(c)!.url, event, 'binary').then((r) => r.status))
    );
    // Assess
    expect(statuses).toEqual(CHECKS.map(() => 202));
    const answered = sink.events
      .filter((e) => (e.data as Json)['healingId'] === healingId)
      .map((e) => (e.data as Json)['check']);
    expect(answered.sort()).toEqual([...CHECKS].sort());
  });
});
