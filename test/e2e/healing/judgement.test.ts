import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditedWrite } from '../../../local/kube-sim/index.js';
import type { LocalStack } from '../../../local/stack/index.js';
import { kubectl } from '../../helpers/kubectl.js';
import type { SseClient } from '../../helpers/sse.js';
import {
  cloudEvents,
  errorReport,
  operatorStream,
  outcomeFor,
  publish,
  startTestStack,
  type StreamedEvent
} from '../../helpers/stack.js';

/*
 * Judgement end to end (#19) on the one-command stack: the simulated cluster, the broker driven by knative/, every
 * function over real HTTP. Faults are made as a user makes them (kubectl), one report is sent as the chat sends it,
 * the outcome is read from the operator stream, and Cortex's writes from the simulator's write audit.
 */

type Pod = {
  metadata: { name: string };
  status: { containerStatuses?: Array<{ ready: boolean; state?: { waiting?: { reason: string } } }> };
};

describe('e2e: root cause across services, capacity, memory', () => {
  let stack: LocalStack;
  let ops: SseClient;
  let k: (...args: string[]) => Promise<string>;
  const writes: Array<AuditedWrite & { seen: number }> = [];
  const pods = (app: string): Pod[] =>
    (stack.sim.list('Pod', 'demo', `app=${app}`) as unknown as Pod[]).filter(
      (p) => !(p.metadata as { deletionTimestamp?: string }).deletionTimestamp
    );
  const ready = (app: string, n = 1): boolean =>
    pods(app).length === n && pods(app).every((p) => p.status.containerStatuses?.every((c) => c.ready));
  const crashLooping = (app: string): boolean =>
    pods(app).some((p) => p.status.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
  const until = (what: string, ok: () => boolean): Promise<unknown> =>
    stack.sim.waitFor(ok, { timeoutMs: 30_000, message: what });

  async function report(service: string): Promise<{ outcome: StreamedEvent; since: StreamedEvent[]; from: number }> {
    const after = cloudEvents(ops).length;
    const from = writes.length;
    expect(await publish(stack, errorReport({ namespace: 'demo', service }))).toBe(202);
    const outcome = await outcomeFor(ops, service, after, 90_000);
    return { outcome, since: cloudEvents(ops).slice(after), from };
  }

  beforeAll(async () => {
    stack = await startTestStack();
    stack.sim.onWrite((w) => writes.push({ ...w, seen: writes.length }));
    ops = await operatorStream(stack);
    k = async (...args) => {
      const r = await kubectl(stack.state.kubeconfig, ['-n', 'demo', ...args]);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    await until('the demo seed ready', () => ready('mcp-demo') && ready('postgres') && ready('mcp-tools', 2));
  });
  afterAll(async () => {
    ops?.close();
    await stack?.stop();
  });

  it('postgres scaled to zero: mcp-demo crash-loops; one report heals postgres first, then mcp-demo; root cause demo/postgres', async () => {
    // Prepare
    await k('scale', 'deploy/postgres', '--replicas=0');
    await until('mcp-demo crash-looping without postgres', () => crashLooping('mcp-demo'));
    // Act
    const { outcome, since, from } = await report('mcp-demo');
    // Assess
    expect(outcome.type, JSON.stringify(outcome.data)).toBe('dev.cortex.healing.completed');
    expect(outcome.data.rootCause).toMatchObject({ kind: 'dependency', object: 'demo/postgres' });
    const child = since.find(
      (e) => e.type === 'dev.cortex.healing.started' && (e.data.target as { service: string }).service === 'postgres'
    );
    expect(child?.data.parentHealingId).toBe(outcome.data.healingId);
    await until('postgres and mcp-demo Ready', () => ready('postgres') && ready('mcp-demo'));
    expect(await k('get', 'deploy', 'postgres', '-o', 'jsonpath={.spec.replicas}')).toBe('1');
    // No restart of mcp-demo before postgres was back: the scale of postgres is Cortex's first write.
    const cortex = writes.slice(from).filter((w) => w.code < 300 && !w.dryRun);
    expect(cortex[0]).toMatchObject({ resource: 'deployments.apps/scale', name: 'postgres' });
    expect(cortex.filter((w) => w.resource === 'pods' && w.name?.startsWith('postgres'))).toEqual([]);
  });

  it('the same with postgres not opted in: healing.failed naming postgres and the command, nothing changed', async () => {
    // Prepare
    await k('label', 'deploy/postgres', 'cortex.dev/self-heal-');
    await k('scale', 'deploy/postgres', '--replicas=0');
    await until('mcp-demo crash-looping without postgres', () => crashLooping('mcp-demo'));
    // Act
    const { outcome, since, from } = await report('mcp-demo');
    // Assess
    expect(outcome.type).toBe('dev.cortex.healing.failed');
    expect(outcome.data).toMatchObject({
      reasonCode: 'dependency_down',
      rootCause: { kind: 'dependency', object: 'demo/postgres' }
    });
    expect(String(outcome.data.reason)).toContain('demo/postgres');
    expect(outcome.data.manualSteps).toContain('kubectl scale deployment/postgres -n demo --replicas=1');
    expect(since.filter((e) => e.type.startsWith('dev.cortex.remediation.'))).toEqual([]);
    expect(writes.slice(from).filter((w) => !w.dryRun && w.code < 300)).toEqual([]);
    // Put it back for the next test: the command from the outcome, as a human would run it.
    await k('scale', 'deploy/postgres', '--replicas=1');
    await k('label', 'deploy/postgres', 'cortex.dev/self-heal=enabled');
    await until('mcp-demo back after postgres', () => ready('postgres') && ready('mcp-demo'));
  });

  it('mcp-tools at two replicas scaled to zero: healed back to two, saying where the number came from', async () => {
    // Prepare
    await k('scale', 'deploy/mcp-tools', '--replicas=0');
    await until('mcp-tools gone', () => pods('mcp-tools').length === 0);
    // Act
    const { outcome } = await report('mcp-tools');
    // Assess
    expect(outcome.type).toBe('dev.cortex.healing.completed');
    expect(await k('get', 'deploy', 'mcp-tools', '-o', 'jsonpath={.spec.replicas}')).toBe('2');
    expect(String(outcome.data.summary)).toContain(
      'from 0 to 2 replicas (spec.replicas 2 in its kubectl.kubernetes.io/last-applied-configuration)'
    );
    await until('two mcp-tools pods Ready', () => ready('mcp-tools', 2));
  });

  it('a persistent crash loop reported five times: exactly one restart in total', async () => {
    // Prepare
    await k('annotate', 'deploy/mcp-tools', 'sim.cortex.dev/fault=crashloop', '--overwrite');
    await until('mcp-tools crash-looping', () => crashLooping('mcp-tools'));
    const from = writes.length;
    // Act
    const outcomes: StreamedEvent[] = [];
    for (let i = 0; i < 5; i++) outcomes.push((await report('mcp-tools')).outcome);
    // Assess
    const restarts = cloudEvents(ops).filter(
      (e) =>
        e.type === 'dev.cortex.remediation.restart_pods.requested' &&
        (e.data.target as { service: string }).service === 'mcp-tools'
    );
    expect(restarts).toHaveLength(1);
    expect(outcomes.map((o) => o.data.reasonCode)).toEqual([
      'verify_failed',
      'repeat_suppressed',
      'repeat_suppressed',
      'repeat_suppressed',
      'repeat_suppressed'
    ]);
    expect(String(outcomes[1]!.data.reason)).toMatch(
      /^restart_pods was tried at \d\d:\d\d:\d\d UTC by healing \S+ for this same fault and did not heal it/
    );
    expect(outcomes[1]!.data.rootCause).toMatchObject({ kind: 'external', object: '10.10.4.7:6379' });
    // Both crash-looping pods were evicted once, in that one restart.
    expect(
      writes.slice(from).filter((w) => w.verb === 'create' && w.resource === 'pods/eviction' && w.code < 300)
    ).toHaveLength(2);
  });
});
