import type { z } from 'zod';
import { Events } from '../../shared/events/catalog.js';
import type { Intent } from '../../shared/events/define.js';
import type { Action } from '../../shared/events/schemas.js';
import type { Deployment, KubePort, Pod, Service } from '../../shared/kube/port.js';
import type { AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { createFakeKube, type FakeCluster, type FakeKube } from '../fakes/kube.js';
import { ctxFor, eventOf, type FakeClock } from '../fakes/ctx.js';
import * as k8s from './workloads.js';
import type { ContainerStatus } from './workloads.js';

/*
 * The workloads remediation tests act on: a Service `api` in `demo` selecting the pods of a Deployment `api`, opted in
 * unless told otherwise, and pods in the states the remediations look for, built with the shared builders of
 * ./workloads.ts.
 */

export type CompletedData = z.output<typeof Events.RemediationCompleted.data>;

export const OPTED_IN = k8s.OPTED_IN;
export const NOW = '2026-11-27T10:00:00.000Z';
export const { crashLooping, oomKilled, pullingFails } = k8s;

export interface DeploymentOptions {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  replicas?: number;
  generation?: number;
  status?: NonNullable<Deployment['status']>;
  containers?: Array<{ name: string; image?: string; resources?: Record<string, Record<string, string>> }>;
  imagePullSecrets?: string[];
  paused?: boolean;
}

/** The `api` Deployment, opted in unless `labels` say otherwise. */
export function deployment(o: DeploymentOptions = {}): Deployment {
  const name = o.name ?? 'api';
  const replicas = o.replicas ?? 1;
  const generation = o.generation ?? 2;
  return k8s.deployment({
    ...o,
    name,
    generation,
    labels: o.labels ?? { app: name, ...OPTED_IN },
    containers: (o.containers ?? [{ name: 'server', image: 'ghcr.io/cortex-demo/api:1.0.0' }]).map((c) => ({ ...c })),
    status: o.status ?? {
      observedGeneration: generation,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas
    }
  });
}

/** The Service of a workload, selecting its pods. */
export const service = (name = 'api', namespace = 'demo'): Service => k8s.service({ name, namespace });

/** A running container `name`. */
export const running = (name = 'server', restartCount = 0): ContainerStatus => k8s.runningStatus({ name, restartCount });

/** A pod of a workload (`app`, default `api`), Running with one ready container unless told otherwise. */
export function pod(
  name: string,
  o: { app?: string; namespace?: string; phase?: string; reason?: string; containers?: ContainerStatus[] } = {}
): Pod {
  return k8s.pod({
    name,
    namespace: o.namespace ?? 'demo',
    app: o.app ?? 'api',
    hash: '5c9d8f7b6',
    status: {
      phase: o.phase ?? 'Running',
      ...(o.reason ? { reason: o.reason } : {}),
      containerStatuses: o.containers ?? [running()]
    }
  });
}

export const evicted = (name: string): Pod => ({
  ...pod(name, { phase: 'Failed', reason: 'Evicted' }),
  status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }
});

/** A fake cluster holding the `api` Service, the given Deployment and pods. */
export function cluster(
  d: Deployment = deployment(),
  pods: Pod[] = [pod('api-1')],
  extra: Partial<FakeCluster> = {}
): FakeKube {
  return createFakeKube({ services: [service(d.metadata!.name, d.metadata!.namespace)], deployments: [d], pods, ...extra });
}

/** Records which port methods were called, on top of a fake. */
export function spyOn(kube: FakeKube): { kube: KubePort; calls: string[] } {
  const calls: string[] = [];
  const spied = new Proxy(kube, {
    get: (t, prop) => {
      const v = (t as unknown as Record<string | symbol, unknown>)[prop];
      return typeof v === 'function'
        ? (...args: unknown[]) => (calls.push(String(prop)), (v as (...a: unknown[]) => unknown)(...args))
        : v;
    }
  });
  return { kube: spied, calls };
}

/** The one remediation.completed a handler returned, validated against its catalog schema. */
export function completedOf(intents: readonly Intent[]): CompletedData {
  if (intents.length !== 1) throw new Error(`expected one intent, got ${intents.length}`);
  expectType(intents[0]!.type);
  return Events.RemediationCompleted.data.parse(intents[0]!.data);
}

function expectType(type: string): void {
  if (type !== Events.RemediationCompleted.type)
    throw new Error(`expected ${Events.RemediationCompleted.type}, got ${type}`);
}

/** Runs a remediation's handler on one request, with a fake context around the given port. */
export async function runRemediation(
  def: AnyFunctionDef,
  action: Action,
  kube: KubePort,
  o: {
    namespace?: string;
    service?: string;
    params?: Record<string, unknown>;
    dryRun?: boolean;
    reason?: string;
    env?: Record<string, string>;
    clock?: FakeClock;
  } = {}
): Promise<CompletedData> {
  const ctx = await ctxFor(def, {
    kube,
    env: { POD_NAMESPACE: 'cortex', ...o.env },
    ...(o.clock ? { clock: o.clock } : {})
  });
  const event = eventOf(Events.RemediationRequested[action], {
    healingId: 'h-1',
    target: { namespace: o.namespace ?? 'demo', service: o.service ?? 'api' },
    params: o.params ?? {},
    dryRun: o.dryRun ?? false,
    ...(o.reason ? { reason: o.reason } : {})
  });
  return completedOf(await def.handle(event, ctx));
}
