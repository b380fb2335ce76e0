import type { z } from 'zod';
import { Events } from '../../shared/events/catalog.js';
import type { Intent } from '../../shared/events/define.js';
import type { Action } from '../../shared/events/schemas.js';
import type { Deployment, KubePort, Pod, Service } from '../../shared/kube/port.js';
import type { AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { createFakeKube, type FakeCluster, type FakeKube } from '../fakes/kube.js';
import { ctxFor, eventOf, type FakeClock } from '../fakes/ctx.js';

/*
 * Builders of the workloads remediation tests act on: a Service `api` in `demo` selecting the pods of a Deployment
 * `api`, opted in unless told otherwise, and pods in the states the remediations look for.
 */

type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];
export type CompletedData = z.output<typeof Events.RemediationCompleted.data>;

export const OPTED_IN = { 'cortex.dev/self-heal': 'enabled' } as const;
export const NOW = '2026-11-27T10:00:00.000Z';

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

export function deployment(o: DeploymentOptions = {}): Deployment {
  const name = o.name ?? 'api';
  const replicas = o.replicas ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: o.namespace ?? 'demo',
      labels: o.labels ?? { app: name, ...OPTED_IN },
      annotations: o.annotations,
      generation: o.generation ?? 2
    },
    spec: {
      replicas,
      paused: o.paused,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: (o.containers ?? [{ name: 'server', image: 'ghcr.io/cortex-demo/api:1.0.0' }]).map((c) => ({ ...c })),
          ...(o.imagePullSecrets ? { imagePullSecrets: o.imagePullSecrets.map((n) => ({ name: n })) } : {})
        }
      }
    },
    status: o.status ?? {
      observedGeneration: o.generation ?? 2,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas
    }
  };
}

export function service(name = 'api', namespace = 'demo'): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { selector: { app: name }, ports: [{ port: 80 }] }
  };
}

export const running = (name = 'server', restartCount = 0): ContainerStatus => ({
  name,
  image: 'ghcr.io/cortex-demo/api:1.0.0',
  imageID: '',
  ready: true,
  restartCount,
  state: { running: { startedAt: new Date('2026-11-27T09:00:00Z') } }
});

export const crashLooping = (name = 'server', restartCount = 5): ContainerStatus => ({
  name,
  image: 'ghcr.io/cortex-demo/api:1.0.0',
  imageID: '',
  ready: false,
  restartCount,
  state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
  lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: new Date('2026-11-27T09:59:30Z') } }
});

export const oomKilled = (name = 'server'): ContainerStatus => ({
  ...crashLooping(name, 4),
  lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: new Date('2026-11-27T09:59:30Z') } }
});

export const pullingFails = (name = 'server', image = 'ghcr.io/cortex-demo/api:9.9.9'): ContainerStatus => ({
  name,
  image,
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } }
});

export function pod(
  name: string,
  o: { app?: string; namespace?: string; phase?: string; reason?: string; containers?: ContainerStatus[] } = {}
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'demo', labels: { app: o.app ?? 'api', 'pod-template-hash': '5c9d8f7b6' } },
    spec: { containers: [{ name: 'server' }] },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.reason ? { reason: o.reason } : {}),
      containerStatuses: o.containers ?? [running()]
    }
  };
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
