import { beforeAll, describe, expect, it } from 'vitest';
import { loadAll } from '../../../functions/index.js';
import type { CloudEventRecord } from '../../../shared/events/http.js';
import type { Deployment } from '../../../shared/kube/port.js';
import type { AnyFunctionDef } from '../../../shared/runtime/define-function.js';
import { createBus, type Bus } from '../../fakes/bus.js';
import { createFakeClock } from '../../fakes/ctx.js';
import { createFakeKube, type FakeKube } from '../../fakes/kube.js';
import { APP, deployment, endpoints, NS, pod, service, slice } from '../../helpers/check-cluster.js';

/*
 * Whole healings in one process: error.reported → error-intake → coordinator → nine checks → a remediation →
 * verification, routed by the Trigger files in knative/ through the runtime's delivery path, against the kube fake.
 * A small reconciler stands in for the Deployment and endpoints controllers: a scale writes ready pods.
 */

const OPT_IN = { app: APP, 'cortex.dev/self-heal': 'enabled' };
const target = { namespace: NS, service: APP };
let defs: AnyFunctionDef[];

/** A Deployment as given, labelled with the opt-in unless `optIn` is false. */
function workload(replicas: number, optIn = true): Deployment {
  const d = deployment({ replicas });
  return { ...d, metadata: { ...d.metadata, labels: optIn ? OPT_IN : { app: APP } } };
}

/** The fake cluster, with scaling reconciled at once: `replicas` ready pods and their endpoints. */
function cluster(d: Deployment, pods = d.spec!.replicas ? [pod('a1')] : []): FakeKube {
  const kube = createFakeKube({
    deployments: [d],
    services: [service()],
    pods,
    endpoints: [endpoints(pods)],
    endpointSlices: [slice(pods)]
  });
  const scale = kube.scaleDeployment.bind(kube);
  kube.scaleDeployment = async (ns, name, replicas, opts) => {
    const result = await scale(ns, name, replicas, opts);
    if (!opts?.dryRun) {
      const ready = Array.from({ length: replicas }, (_, i) => pod(`r${i}`));
      Object.assign(kube.cluster, { pods: ready, endpoints: [endpoints(ready)], endpointSlices: [slice(ready)] });
      kube.cluster.deployments[0]!.status = {
        ...kube.cluster.deployments[0]!.status,
        replicas,
        readyReplicas: replicas,
        availableReplicas: replicas
      };
    }
    return result;
  };
  return kube;
}

let n = 0;
function report(category = 'mcp_unreachable', sessionId = 's-flow-1'): CloudEventRecord {
  return {
    specversion: '1.0',
    id: `err-${++n}`,
    source: '/cortex/chat',
    type: 'dev.cortex.error.reported',
    time: '2026-11-27T10:00:00.000Z',
    datacontenttype: 'application/json',
    data: {
      component: 'chat',
      category,
      message: 'connect ECONNREFUSED',
      occurredAt: '2026-11-27T10:00:00.000Z',
      target,
      sessionId
    }
  };
}

async function busFor(kube: FakeKube): Promise<Bus> {
  // No readiness wait: the reconciler is synchronous, and the fake clock does not move by itself.
  return createBus({ defs, kube, clock: createFakeClock(), env: { CORTEX_CHECK_WAIT_MS: '0' } });
}

const outcome = (bus: Bus): CloudEventRecord & { data: Record<string, unknown> } =>
  [...bus.ofType('dev.cortex.healing.completed'), ...bus.ofType('dev.cortex.healing.failed')][0]!;

describe('Flow: a whole healing in memory', () => {
  beforeAll(async () => {
    defs = (await loadAll()).filter((d) => d.name !== 'chat' && d.name !== 'sse-relay');
  });

  it('heals a Deployment scaled to zero: intake, coordinator, nine checks, scale_up, verification', async () => {
    // Prepare
    const kube = cluster(workload(0));
    const bus = await busFor(kube);
    // Act
    await bus.send(report());
    // Assess
    expect(outcome(bus)).toMatchObject({ type: 'dev.cortex.healing.completed', data: { target, actions: ['scale_up'] } });
    expect(bus.ofType('dev.cortex.healing.requested')).toHaveLength(1);
    expect(bus.ofType<{ phase: string }>('dev.cortex.diagnosis.requested').map((e) => e.data.phase)).toEqual(['diagnose']);
    expect(bus.ofType<{ phase: string }>('dev.cortex.verification.requested').map((e) => e.data.phase)).toEqual(['verify']);
    expect(new Set(bus.deliveries.filter((d) => d.type === 'dev.cortex.diagnosis.requested').map((d) => d.to)).size).toBe(9);
    // Verification reaches only the two checks that verify: none of the other seven is woken to drop it.
    const verifiers = bus.deliveries.filter((d) => d.type === 'dev.cortex.verification.requested').map((d) => d.to);
    expect(verifiers.sort()).toEqual(['check-pod-status', 'check-service-endpoints']);
    expect(kube.writes).toEqual([
      expect.objectContaining({ name: `deployments/${APP}/scale`, body: { spec: { replicas: 1 } } })
    ]);
    expect(bus.events.every((e) => e.traceparent !== undefined || e.source === '/cortex/chat')).toBe(true);
  });

  it('ends a transient failure without touching the cluster when every check finds it healthy', async () => {
    // Prepare
    const kube = cluster(workload(1));
    const bus = await busFor(kube);
    // Act
    await bus.send(report());
    // Assess
    expect(outcome(bus)).toMatchObject({ type: 'dev.cortex.healing.completed', data: { actions: [] } });
    expect(String(outcome(bus).data.summary)).toMatch(/^transient: service healthy now/);
    expect(kube.writes).toEqual([]);
  });

  it('fails with reasonCode denied when the workload is not opted in, and changes nothing', async () => {
    // Prepare
    const kube = cluster(workload(0, false));
    const bus = await busFor(kube);
    // Act
    await bus.send(report());
    // Assess
    expect(outcome(bus)).toMatchObject({ type: 'dev.cortex.healing.failed', data: { reasonCode: 'denied' } });
    expect(bus.ofType('dev.cortex.remediation.completed')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ outcome: 'denied' }) })
    ]);
    expect(kube.writes).toEqual([]);
  });

  it('starts no healing for a Claude API failure (error-intake records it)', async () => {
    // Prepare
    const bus = await busFor(cluster(workload(0)));
    // Act
    await bus.send(report('llm_rate_limited'));
    // Assess
    expect(bus.events.map((e) => e.type)).toEqual(['dev.cortex.error.reported']);
    expect(bus.deliveries.map((d) => d.to)).toEqual(['error-intake']);
  });

  it('makes one healing of a storm of reports for one target (single flight), each session told the outcome', async () => {
    // Prepare
    const kube = cluster(workload(0));
    const bus = await busFor(kube);
    const storm = Array.from({ length: 20 }, (_, i) => report('mcp_unreachable', `s-storm-${i}`));
    // Act
    for (const r of storm) await bus.send(r);
    // Assess
    expect(bus.ofType('dev.cortex.healing.started')).toHaveLength(1);
    expect(bus.ofType('dev.cortex.healing.completed')).toHaveLength(1);
    expect(kube.writes).toHaveLength(1);
    const told = new Set(
      [
        ...bus.ofType<{ sessionIds?: string[] }>('dev.cortex.healing.completed'),
        ...bus.ofType<{ sessionIds?: string[] }>('dev.cortex.healing.progress')
      ].flatMap((e) => e.data.sessionIds ?? [])
    );
    expect(told.has('s-storm-0')).toBe(true);
  });

  it('answers a redelivered report with nothing new (the runtime dedupes on source and id)', async () => {
    // Prepare
    const bus = await busFor(cluster(workload(0)));
    const first = report();
    await bus.send(first);
    const before = bus.events.length;
    // Act
    await bus.send(first);
    // Assess
    expect(bus.events.length).toBe(before + 1);
  });
});

describe('Flow: deadlines through the tick', () => {
  it('counts a check that never answers as inconclusive once the coordinator ticks past the deadline', async () => {
    // Prepare: every function but check-events, so one check stays silent
    const clock = createFakeClock();
    const kube = cluster(workload(1));
    const bus = await createBus({
      defs: defs.filter((d) => d.name !== 'check-events'),
      kube,
      clock,
      env: { CORTEX_CHECK_WAIT_MS: '0' }
    });
    await bus.send(report());
    const waiting = bus.events.length;
    // Act
    await bus.tick('healing-coordinator');
    const early = bus.events.length;
    clock.advance(31_000);
    await bus.tick('healing-coordinator');
    // Assess
    expect(early).toBe(waiting);
    expect(
      bus.ofType<{ check?: string; verdict?: string }>('dev.cortex.healing.progress').find((e) => e.data.check === 'events')
        ?.data.verdict
    ).toBe('inconclusive');
    expect(outcome(bus)).toMatchObject({ type: 'dev.cortex.healing.completed', data: { actions: [] } });
  });
});
