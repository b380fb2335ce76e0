import { beforeAll, describe, expect, it } from 'vitest';
import { loadAll } from '../../../functions/index.js';
import type { CloudEventRecord } from '../../../shared/events/http.js';
import type { Deployment, Pod, Service } from '../../../shared/kube/port.js';
import type { AnyFunctionDef } from '../../../shared/runtime/define-function.js';
import { createBus, type Bus } from '../../fakes/bus.js';
import { createFakeClock, type FakeClock } from '../../fakes/ctx.js';
import { createFakeKube, type FakeKube } from '../../fakes/kube.js';
import { DEPENDENCY_LOG, SESSION_STORE_LOG } from '../../helpers/crash-logs.js';
import * as k8s from '../../helpers/workloads.js';

/*
 * The judgement of #19 and #17 in whole healings, in one process: the real checks and remediations against the kube
 * fake, the coordinator's runner applying cross-target steps as their own store transactions. A small reconciler
 * stands in for the controllers and the kubelet: scaling writes ready pods and endpoints, an evicted pod is replaced
 * (healthy once its dependency is up, crash-looping again otherwise).
 */

let defs: AnyFunctionDef[];
const MIN = 60_000;

const applied = (replicas: number) => ({
  'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ kind: 'Deployment', spec: { replicas } })
});
const withIp = (s: Service, ip: string): Service => ({ ...s, spec: { ...s.spec, clusterIP: ip } });
let seq = 0;
function podOf(app: string, shape: k8s.PodShape): Pod {
  const name = `${app}-7d4b9c8f6-p${++seq}`;
  return k8s.pod({
    name,
    app,
    status: k8s.podStatus(shape, {
      name,
      namespace: 'demo',
      ip: `10.244.1.${seq}`,
      image: `ghcr.io/cortex-demo/${app}:1.0.0`
    })
  });
}

interface World {
  kube: FakeKube;
  /** The crash log every new mcp-demo pod writes while its fault lasts. */
  crashLog?: string;
}

/** Ready pods and endpoints for `app`, `n` of them. */
function serve(kube: FakeKube, app: string, n: number): void {
  const c = kube.cluster;
  const pods = Array.from({ length: n }, () => podOf(app, 'ready'));
  c.pods = [...c.pods.filter((p) => p.metadata?.labels?.['app'] !== app), ...pods];
  c.endpoints = [...c.endpoints.filter((e) => e.metadata?.name !== app), k8s.endpoints(pods, [], app)];
  const d = c.deployments.find((x) => x.metadata?.name === app)!;
  d.status = { replicas: n, readyReplicas: n, availableReplicas: n, updatedReplicas: n };
}

/** A crash-looping pod of `app` whose previous run logged `log`. */
function crashLoop(w: World, app: string): void {
  const p = podOf(app, 'crashloop');
  w.kube.cluster.pods.push(p);
  w.kube.cluster.logs[`demo/${p.metadata!.name}/server`] = '';
  w.kube.cluster.logs[`demo/${p.metadata!.name}/server#previous`] = w.crashLog ?? '';
  const d = w.kube.cluster.deployments.find((x) => x.metadata?.name === app)!;
  d.status = { replicas: 1, readyReplicas: 0, availableReplicas: 0, updatedReplicas: 1 };
}

const deployment = (
  name: string,
  replicas: number,
  o: { optedIn?: boolean; annotations?: Record<string, string> } = {}
): Deployment =>
  k8s.deployment({
    name,
    replicas,
    labels: { app: name, ...(o.optedIn === false ? {} : k8s.OPTED_IN) },
    ...(o.annotations ? { annotations: o.annotations } : {})
  });

/** mcp-demo (and mcp-tools, postgres) as the demo seed has them, with the reconciler wired into the writes. */
function world(
  o: { postgres?: number; postgresOptedIn?: boolean; crashLog?: string; mcpDemo?: 'ready' | 'crashloop' | 'zero' } = {}
): World {
  const kube = createFakeKube({
    deployments: [
      deployment('mcp-demo', o.mcpDemo === 'zero' ? 0 : 1, { annotations: applied(1) }),
      deployment('mcp-tools', 2, { annotations: applied(2) }),
      deployment('postgres', o.postgres ?? 1, { optedIn: o.postgresOptedIn ?? true, annotations: applied(1) })
    ],
    services: [
      withIp(k8s.service({ name: 'mcp-demo' }), '10.96.0.12'),
      withIp(k8s.service({ name: 'mcp-tools' }), '10.96.0.13'),
      withIp(k8s.service({ name: 'postgres' }), '10.96.0.15')
    ]
  });
  const w: World = { kube, ...(o.crashLog ? { crashLog: o.crashLog } : {}) };
  serve(kube, 'mcp-tools', 2);
  if ((o.postgres ?? 1) > 0) serve(kube, 'postgres', o.postgres ?? 1);
  else kube.cluster.endpoints.push(k8s.endpoints([], [], 'postgres'));
  if (o.mcpDemo === 'crashloop') crashLoop(w, 'mcp-demo');
  else if (o.mcpDemo === 'zero') kube.cluster.endpoints.push(k8s.endpoints([], [], 'mcp-demo'));
  else serve(kube, 'mcp-demo', 1);

  const scale = kube.scaleDeployment.bind(kube);
  kube.scaleDeployment = async (ns, name, replicas, opts) => {
    const result = await scale(ns, name, replicas, opts);
    if (!opts?.dryRun) serve(kube, name, replicas);
    return result;
  };
  // An evicted pod is replaced by its ReplicaSet, as the restart's eviction expects.
  const evict = kube.evictPod.bind(kube);
  kube.evictPod = async (ns, name, opts) => {
    const gone = await evict(ns, name, opts);
    const postgresUp = kube.cluster.endpoints.some(
      (e) => e.metadata?.name === 'postgres' && e.subsets?.[0]?.addresses?.length
    );
    if (!opts?.dryRun && name.startsWith('mcp-demo-')) {
      if (w.crashLog && (w.crashLog !== DEPENDENCY_LOG || !postgresUp)) crashLoop(w, 'mcp-demo');
      else serve(kube, 'mcp-demo', 1);
    }
    return gone;
  };
  return w;
}

/** Scales a workload to zero as a user would (no pods, empty endpoints). */
function scaleToZero(w: World, app: string): void {
  const c = w.kube.cluster;
  c.deployments.find((d) => d.metadata?.name === app)!.spec!.replicas = 0;
  c.pods = c.pods.filter((p) => p.metadata?.labels?.['app'] !== app);
  c.endpoints = [...c.endpoints.filter((e) => e.metadata?.name !== app), k8s.endpoints([], [], app)];
}

let n = 0;
function report(clock: FakeClock, service = 'mcp-demo', sessionId = `s-${++n}`): CloudEventRecord {
  return {
    specversion: '1.0',
    id: `err-j-${++n}`,
    source: '/cortex/chat',
    type: 'dev.cortex.error.reported',
    time: clock.now().toISOString(),
    datacontenttype: 'application/json',
    data: {
      component: 'chat',
      category: 'mcp_unreachable',
      message: 'connect ECONNREFUSED',
      occurredAt: clock.now().toISOString(),
      target: { namespace: 'demo', service },
      sessionId
    }
  };
}

async function busFor(w: World, clock = createFakeClock()): Promise<Bus> {
  return createBus({
    defs,
    kube: w.kube,
    clock,
    env: { CORTEX_CHECK_WAIT_MS: '0', CORTEX_EVICTION_WAIT_MS: '20', CORTEX_EVICTION_POLL_MS: '5' }
  });
}

type Outcome = CloudEventRecord & { data: Record<string, unknown> };
const outcomes = (bus: Bus, service = 'mcp-demo'): Outcome[] =>
  bus.events.filter(
    (e) =>
      (e.type === 'dev.cortex.healing.completed' || e.type === 'dev.cortex.healing.failed') &&
      (e.data as { target: { service: string } }).target.service === service
  ) as Outcome[];
const writes = (w: World): string[] => w.kube.writes.filter((x) => !x.dryRun).map((x) => `${x.verb} ${x.name}`);

describe('Flow: judgement across whole healings', () => {
  beforeAll(async () => {
    defs = (await loadAll()).filter((d) => d.name !== 'chat' && d.name !== 'sse-relay');
  });

  it('postgres down, opted in: heals postgres first (its own healing), then mcp-demo; root cause demo/postgres', async () => {
    // Prepare
    const w = world({ postgres: 0, mcpDemo: 'crashloop', crashLog: DEPENDENCY_LOG });
    const clock = createFakeClock();
    const bus = await busFor(w, clock);
    // Act
    await bus.send(report(clock));
    // Assess
    const [end] = outcomes(bus);
    expect(end?.type, JSON.stringify(end?.data)).toBe('dev.cortex.healing.completed');
    expect(end!.data['rootCause']).toMatchObject({ kind: 'dependency', object: 'demo/postgres' });
    expect(end!.data['actions']).toEqual(['restart_pods', 'scale_up (demo/postgres)']);
    const started = bus.ofType<{ target: { service: string }; parentHealingId?: string }>('dev.cortex.healing.started');
    expect(started.map((e) => [e.data.target.service, e.data.parentHealingId !== undefined])).toEqual([
      ['mcp-demo', false],
      ['postgres', true]
    ]);
    // Never a restart of mcp-demo before postgres was back.
    expect(writes(w)).toEqual(['patch deployments/postgres/scale', expect.stringMatching(/^evict pods\/mcp-demo-/)]);
    expect(outcomes(bus, 'postgres')[0]?.type).toBe('dev.cortex.healing.completed');
  });

  it('postgres down, not opted in: dependency_down naming postgres and the command, nothing changed', async () => {
    // Prepare
    const w = world({ postgres: 0, postgresOptedIn: false, mcpDemo: 'crashloop', crashLog: DEPENDENCY_LOG });
    const clock = createFakeClock();
    const bus = await busFor(w, clock);
    // Act
    await bus.send(report(clock));
    // Assess
    const [end] = outcomes(bus);
    expect(end?.data).toMatchObject({
      reasonCode: 'dependency_down',
      rootCause: { kind: 'dependency', object: 'demo/postgres' }
    });
    expect(String(end!.data['reason'])).toMatch(/postgres/);
    expect(end!.data['manualSteps']).toContain('kubectl scale deployment/postgres -n demo --replicas=1');
    expect(w.kube.writes).toEqual([]);
    expect(bus.ofType('dev.cortex.healing.started')).toHaveLength(1);
  });

  it('a persistent crash loop reported five times: exactly one restart in total', async () => {
    // Prepare
    const w = world({ mcpDemo: 'crashloop', crashLog: SESSION_STORE_LOG });
    const clock = createFakeClock();
    const bus = await busFor(w, clock);
    // Act
    for (let i = 0; i < 5; i++) {
      await bus.send(report(clock));
      clock.advance(MIN);
    }
    // Assess
    expect(writes(w).filter((x) => x.startsWith('evict pods/'))).toHaveLength(1);
    expect(outcomes(bus).map((o) => o.data['reasonCode'])).toEqual([
      'verify_failed',
      'repeat_suppressed',
      'repeat_suppressed',
      'repeat_suppressed',
      'repeat_suppressed'
    ]);
    expect(outcomes(bus)[0]!.data['rootCause']).toMatchObject({ kind: 'external', object: '10.10.4.7:6379' });
  });

  it('mcp-tools at two replicas scaled to zero: healed back to two, saying where the number came from', async () => {
    // Prepare
    const w = world();
    scaleToZero(w, 'mcp-tools');
    const clock = createFakeClock();
    const bus = await busFor(w, clock);
    // Act
    await bus.send(report(clock, 'mcp-tools'));
    // Assess
    const [end] = outcomes(bus, 'mcp-tools');
    expect(end?.type).toBe('dev.cortex.healing.completed');
    expect(w.kube.writes).toEqual([
      expect.objectContaining({ name: 'deployments/mcp-tools/scale', body: { spec: { replicas: 2 } } })
    ]);
    expect(String(end!.data['summary'])).toContain(
      'from 0 to 2 replicas (spec.replicas 2 in its kubectl.kubernetes.io/last-applied-configuration)'
    );
    expect(String(end!.data['summary'])).not.toContain('the request');
  });

  it('three transient healings, then a scale to zero: healed, not escalated (#17)', async () => {
    // Prepare
    const w = world();
    const clock = createFakeClock();
    const bus = await busFor(w, clock);
    for (let i = 0; i < 3; i++) {
      await bus.send(report(clock));
      clock.advance(MIN);
    }
    scaleToZero(w, 'mcp-demo');
    // Act
    await bus.send(report(clock));
    // Assess
    expect(outcomes(bus).map((o) => [o.type.split('.').at(-1), o.data['actions']])).toEqual([
      ['completed', []],
      ['completed', []],
      ['completed', []],
      ['completed', ['scale_up']]
    ]);
  });

  it('a workload broken again and again: escalated after three fixes, and a later report is told so with the resume time', async () => {
    // Prepare
    const w = world();
    const clock = createFakeClock();
    const bus = await busFor(w, clock);
    for (let i = 0; i < 3; i++) {
      scaleToZero(w, 'mcp-demo');
      await bus.send(report(clock));
      clock.advance(MIN);
    }
    scaleToZero(w, 'mcp-demo');
    // Act
    await bus.send(report(clock));
    clock.advance(MIN);
    await bus.send(report(clock, 'mcp-demo', 's-later'));
    // Assess
    const ends = outcomes(bus);
    expect(ends.map((o) => o.data['reasonCode'] ?? 'completed')).toEqual([
      'completed',
      'completed',
      'completed',
      'escalated',
      'escalated'
    ]);
    expect(ends[3]!.data['resumesAt']).toBe('2026-11-27T10:15:00.000Z');
    expect(ends[4]!.data).toMatchObject({
      sessionIds: ['s-later'],
      reason: ends[3]!.data['reason'],
      resumesAt: ends[3]!.data['resumesAt']
    });
    expect(writes(w)).toHaveLength(3);
  });
});
