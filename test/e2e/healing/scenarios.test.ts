import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack/index.js';
import { kubectl } from '../../helpers/kubectl.js';
import type { SseClient } from '../../helpers/sse.js';
import {
  cloudEvents,
  errorReport,
  eventAuthHeaders,
  operatorStream,
  outcomeFor,
  publish,
  startTestStack,
  type StreamedEvent
} from '../../helpers/stack.js';

/*
 * DESIGN's healing scenarios on the one-command stack: the simulated cluster, the Knative-compatible broker driven by
 * knative/, every function over real HTTP. Each fault is injected as a user would (kubectl), reported once, and the
 * outcome is read from the relay's operator stream and checked in the cluster with kubectl.
 */

const demo = { namespace: 'demo', service: 'mcp-demo' };
type Pod = {
  metadata: { name: string };
  status: {
    phase: string;
    reason?: string;
    containerStatuses?: Array<{
      ready: boolean;
      state?: { waiting?: { reason: string } };
      lastState?: { terminated?: { reason: string } };
    }>;
  };
};

// Every scenario with deliveries unauthenticated (the default) and with Eventing's OIDC emulated (DESIGN §15).
describe.each(['off', 'oidc'] as const)('e2e: healing scenarios on the local stack (CORTEX_EVENT_AUTH=%s)', (auth) => {
  let stack: LocalStack;
  let ops: SseClient;
  let k: (...args: string[]) => Promise<string>;
  const pods = (service = 'mcp-demo'): Pod[] => stack.sim.list('Pod', 'demo', `app=${service}`) as unknown as Pod[];
  const waitPods = (what: string, ok: (p: Pod[]) => boolean): Promise<unknown> =>
    stack.sim.waitFor(() => ok(pods()), { timeoutMs: 30_000, message: what });
  const healthy = (ps: Pod[]): boolean =>
    ps.length === 1 && ps.every((p) => p.status.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready));

  beforeAll(async () => {
    // Many scenarios heal the same target one after another: lift the budget here (escalation has its own test).
    stack = await startTestStack({ CORTEX_HEALING_BUDGET: '100', CORTEX_EVENT_AUTH: auth });
    ops = await operatorStream(stack);
    k = async (...args) => {
      const r = await kubectl(stack.state.kubeconfig, ['-n', 'demo', ...args]);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
  });
  afterAll(async () => {
    ops?.close();
    await stack?.stop();
  });
  beforeEach(async () => {
    // Back to one healthy pod with no fault, whatever the previous scenario left.
    stack.sim.setFault('demo', 'mcp-demo', 'none');
    await k('scale', 'deploy/mcp-demo', '--replicas=1');
    await k('delete', 'pods', '-l', 'app=mcp-demo', '--wait=false');
    await waitPods('a healthy mcp-demo', healthy);
  });

  async function report(service = 'mcp-demo'): Promise<StreamedEvent> {
    const after = cloudEvents(ops).length;
    expect(await publish(stack, errorReport({ namespace: 'demo', service }))).toBe(202);
    return outcomeFor(ops, service, after);
  }
  const of = (outcome: StreamedEvent, type: string): StreamedEvent[] =>
    cloudEvents(ops).filter((e) => e.type === type && e.data.healingId === outcome.data.healingId);

  it('scaled to zero: one structured curl → started, progress per check, scale-up, verification, completed; deployment back', async () => {
    // Prepare
    await k('scale', 'deploy/mcp-demo', '--replicas=0');
    await waitPods('no pods', (p) => p.length === 0);
    const after = cloudEvents(ops).length;
    const body = JSON.stringify(errorReport(demo).toJSON());
    // With CORTEX_EVENT_AUTH=oidc the README adds the operator's token, as here
    const authHeaders = Object.entries(await eventAuthHeaders(stack.state)).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    // Act: exactly what the README shows
    const { stdout } = await promisify(execFile)('curl', [
      ...authHeaders,
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-X',
      'POST',
      `${stack.state.frontDoor}/cortex/default`,
      '-H',
      'content-type: application/cloudevents+json',
      '-d',
      body
    ]);
    const outcome = await outcomeFor(ops, 'mcp-demo', after);
    // Assess
    expect(stdout).toBe('202');
    expect(outcome.type).toBe('dev.cortex.healing.completed');
    expect(outcome.data.actions).toEqual(['scale_up']);
    expect(of(outcome, 'dev.cortex.healing.started')).toHaveLength(1);
    const progress = of(outcome, 'dev.cortex.healing.progress').map((e) => e.data as { stage: string; check?: string });
    expect(new Set(progress.filter((p) => p.stage === 'diagnose' && p.check).map((p) => p.check)).size).toBe(9);
    expect(progress.some((p) => p.stage === 'verify')).toBe(true);
    expect(of(outcome, 'dev.cortex.remediation.completed')[0]?.data).toMatchObject({
      action: 'scale_up',
      outcome: 'applied'
    });
    const deploy = await k('get', 'deploy', 'mcp-demo', '-o', 'jsonpath={.status.readyReplicas}/{.spec.replicas}');
    expect(deploy).toBe('1/1');
    expect(await k('get', 'endpoints', 'mcp-demo', '-o', 'jsonpath={.subsets[0].addresses[0].ip}')).toMatch(
      /^\d+\.\d+\.\d+\.\d+$/
    );
  });

  it('CrashLoopBackOff (transient): restart-pods, then healthy', async () => {
    // Prepare
    await k('annotate', 'deploy/mcp-demo', 'sim.cortex.dev/fault=crashloop-transient', '--overwrite');
    await waitPods('CrashLoopBackOff', (p) =>
      p.some((x) => x.status.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff')
    );
    // Act
    const outcome = await report();
    // Assess
    expect(outcome.type, JSON.stringify(outcome.data)).toBe('dev.cortex.healing.completed');
    expect(outcome.data.actions).toEqual(['restart_pods']);
    await waitPods('healthy after the restart', healthy);
    expect(
      pods().every((p) => (p.status.containerStatuses?.[0] as { restartCount?: number } | undefined)?.restartCount === 0)
    ).toBe(true);
    // The simulator's audit log: the restart was an eviction by the function's own ServiceAccount, and no pod delete.
    const writes = stack.sim.writes().filter((w) => w.namespace === 'demo' && w.resource.startsWith('pods'));
    expect(writes.filter((w) => w.resource === 'pods/eviction').map((w) => [w.user, w.code, w.dryRun])).toContainEqual([
      'system:serviceaccount:cortex:remediate-restart-pods',
      201,
      false
    ]);
    expect(writes.filter((w) => w.verb === 'delete' && w.user.includes(':cortex:remediate-restart-pods'))).toEqual([]);
  });

  it('a transient crash loop reported at its first crash (the fault button probes at once): restart-pods, then healthy', async () => {
    // Prepare
    const after = cloudEvents(ops).length;
    // Act: the page's button injects the fault and reports the first failed call, like the chat would
    const res = await fetch(`${stack.state.frontDoor}/local/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"fault":"crashloop-transient"}'
    });
    const outcome = await outcomeFor(ops, 'mcp-demo', after);
    // Assess
    expect(await res.json()).toMatchObject({ injected: 'crashloop-transient', probe: { ok: false } });
    expect(outcome.type, JSON.stringify(outcome.data)).toBe('dev.cortex.healing.completed');
    expect(outcome.data.actions).toEqual(['restart_pods']);
    await waitPods('healthy after the restart', healthy);
  });

  it('CrashLoopBackOff (persistent): diagnosed and attempted, then reported as still unhealthy with manual steps', async () => {
    // Prepare
    await k('annotate', 'deploy/mcp-demo', 'sim.cortex.dev/fault=crashloop', '--overwrite');
    await waitPods('CrashLoopBackOff', (p) =>
      p.some((x) => x.status.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff')
    );
    // Act
    const outcome = await report();
    // Assess
    expect(of(outcome, 'dev.cortex.remediation.completed')[0]?.data).toMatchObject({
      action: 'restart_pods',
      outcome: 'applied'
    });
    expect(outcome.type).toBe('dev.cortex.healing.failed');
    expect(outcome.data.reasonCode).toBe('verify_failed');
    expect((outcome.data.manualSteps as string[]).length).toBeGreaterThan(0);
  });

  it('ImagePullBackOff: healing_failed naming the image, with the manual steps', async () => {
    // Prepare
    await k('annotate', 'deploy/mcp-demo', 'sim.cortex.dev/fault=image-pull', '--overwrite');
    await waitPods('image pull error', (p) =>
      p.some((x) => /ImagePull|ErrImagePull/.test(x.status.containerStatuses?.[0]?.state?.waiting?.reason ?? ''))
    );
    // Act
    const outcome = await report();
    // Assess
    expect(outcome.type).toBe('dev.cortex.healing.failed');
    const text = JSON.stringify(outcome.data);
    expect(text).toContain('ghcr.io/cortex-demo/mcp-demo:1.4.2');
    expect((outcome.data.manualSteps as string[]).some((s) => s.includes('kubectl'))).toBe(true);
  });

  it('OOMKilled: a manual report with a suggested memory limit; the Deployment is unchanged', async () => {
    // Prepare
    const before = await k(
      'get',
      'deploy',
      'mcp-demo',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].resources.limits.memory}'
    );
    await k('annotate', 'deploy/mcp-demo', 'sim.cortex.dev/fault=oom', '--overwrite');
    await waitPods('OOMKilled', (p) =>
      p.some((x) => x.status.containerStatuses?.[0]?.lastState?.terminated?.reason === 'OOMKilled')
    );
    // Act
    const outcome = await report();
    // Assess
    expect(outcome.type).toBe('dev.cortex.healing.failed');
    expect(of(outcome, 'dev.cortex.remediation.completed')[0]?.data).toMatchObject({
      action: 'report_oom',
      outcome: 'manual'
    });
    expect(JSON.stringify(outcome.data.manualSteps)).toMatch(/256Mi/);
    expect(
      await k('get', 'deploy', 'mcp-demo', '-o', 'jsonpath={.spec.template.spec.containers[0].resources.limits.memory}')
    ).toBe(before);
  });

  it('endpoints missing with ready pods: rollout-restart, then endpoints ready', async () => {
    // Prepare
    await k('annotate', 'deploy/mcp-demo', 'sim.cortex.dev/fault=endpoints-stale', '--overwrite');
    await stack.sim.waitFor(
      () =>
        healthy(pods()) &&
        !(stack.sim.get('Endpoints', 'demo', 'mcp-demo') as { subsets?: unknown[] } | undefined)?.subsets?.length,
      { timeoutMs: 30_000 }
    );
    // Act
    const outcome = await report();
    // Assess
    expect(outcome.type).toBe('dev.cortex.healing.completed');
    expect(outcome.data.actions).toEqual(['rollout_restart']);
    expect(await k('get', 'endpoints', 'mcp-demo', '-o', 'jsonpath={.subsets[0].addresses[0].ip}')).not.toBe('');
  });

  it('Failed/Evicted pods: cleaned up', async () => {
    // Prepare
    await k('annotate', 'deploy/mcp-demo', 'sim.cortex.dev/fault=evicted', '--overwrite');
    await waitPods('an Evicted pod', (p) => p.some((x) => x.status.reason === 'Evicted'));
    // Act
    const outcome = await report();
    // Assess
    expect(outcome.data.actions).toContain('cleanup_failed_pods');
    expect(pods().filter((p) => p.status.phase === 'Failed')).toEqual([]);
  });

  it('a blocking NetworkPolicy is named in the findings', async () => {
    // Prepare
    await k('annotate', 'deploy/mcp-demo', 'sim.cortex.dev/fault=network-block', '--overwrite');
    await stack.sim.waitFor(() => stack.sim.list('NetworkPolicy', 'demo').length > 0, { timeoutMs: 10_000 });
    const policy = (stack.sim.list('NetworkPolicy', 'demo')[0] as { metadata: { name: string } }).metadata.name;
    // Act
    const outcome = await report();
    // Assess
    expect(outcome.type).toBe('dev.cortex.healing.failed');
    const findings = outcome.data.findings as Array<{ check: string; verdict: string; summary: string }>;
    expect(findings.find((f) => f.check === 'network-policies')).toMatchObject({
      verdict: 'problem',
      summary: expect.stringContaining(policy)
    });
  });

  it('a workload that is not opted in: the remediation is denied and nothing changes', async () => {
    // Prepare
    await k('scale', 'deploy/legacy-api', '--replicas=0');
    // Act
    const outcome = await report('legacy-api');
    // Assess
    expect(of(outcome, 'dev.cortex.remediation.completed')[0]?.data).toMatchObject({
      action: 'scale_up',
      outcome: 'denied'
    });
    expect(outcome.type).toBe('dev.cortex.healing.failed');
    expect(JSON.stringify(outcome.data.manualSteps)).toContain('cortex.dev/self-heal');
    expect(await k('get', 'deploy', 'legacy-api', '-o', 'jsonpath={.spec.replicas}')).toBe('0');
  });
});
