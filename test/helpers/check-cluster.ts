import type { z } from 'zod';
import { Events } from '../../shared/events/catalog.js';
import type { CheckName } from '../../shared/events/schemas.js';
import type {
  Deployment,
  EndpointSlice,
  Endpoints,
  KubeEvent,
  NetworkPolicy,
  Pod,
  Service
} from '../../shared/kube/port.js';
import type { AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { ctxFor, eventOf, type FakeClock } from '../fakes/ctx.js';
import { createFakeKube, type FakeCluster, type FakeKube } from '../fakes/kube.js';
import * as k8s from './workloads.js';

/*
 * The workload check tests look at: the demo Deployment `mcp-demo` in `demo`, a Service selecting app=mcp-demo, and
 * its pods in the status shapes of the kubelet, built with the shared builders of ./workloads.ts.
 */

export type CompletedData = z.output<typeof Events.DiagnosisCompleted.data>;
export type { PodShape } from './workloads.js';

export const NS = 'demo';
export const APP = 'mcp-demo';
export const IMAGE = 'ghcr.io/cortex-demo/mcp-demo:1.4.2';
export const { T1, T2 } = k8s;

/** The demo Deployment; `labels` are its pod template's. */
export function deployment(
  o: {
    replicas?: number;
    annotations?: Record<string, string>;
    memoryLimit?: string | null;
    memoryRequest?: string | null;
    labels?: Record<string, string>;
    status?: Deployment['status'];
    paused?: boolean;
  } = {}
): Deployment {
  const limits: Record<string, string> = o.memoryLimit === null ? {} : { memory: o.memoryLimit ?? '128Mi' };
  const requests: Record<string, string> = o.memoryRequest === null ? {} : { cpu: '50m', memory: o.memoryRequest ?? '64Mi' };
  return k8s.deployment({
    name: APP,
    namespace: NS,
    uid: 'uid-deploy',
    ...(o.replicas !== undefined ? { replicas: o.replicas } : {}),
    ...(o.annotations ? { annotations: o.annotations } : {}),
    ...(o.status ? { status: o.status } : {}),
    ...(o.paused ? { paused: o.paused } : {}),
    templateLabels: o.labels ?? { app: APP, ...k8s.OPTED_IN },
    containers: [
      {
        name: 'server',
        image: IMAGE,
        ports: [{ name: 'http', containerPort: 3000, protocol: 'TCP' }],
        resources: { limits, requests }
      }
    ]
  });
}

/** The demo Service. */
export const service = (o: { selector?: Record<string, string>; targetPort?: number | string } = {}): Service =>
  k8s.service({ name: APP, namespace: NS, ...o });

let ipSeq = 10;

/** A pod of mcp-demo named `mcp-demo-7d4b9c8f6-<suffix>` in the given state. */
export function pod(
  suffix: string,
  shape: k8s.PodShape = 'ready',
  o: { ip?: string; labels?: Record<string, string>; terminating?: boolean } = {}
): Pod {
  const name = `${APP}-7d4b9c8f6-${suffix}`;
  const ip = o.ip ?? `10.244.0.${ipSeq++}`;
  return k8s.pod({
    name,
    namespace: NS,
    app: APP,
    ...(o.labels ? { labels: o.labels } : {}),
    ...(o.terminating ? { terminating: true } : {}),
    containers: [
      {
        name: 'server',
        image: IMAGE,
        ports: [{ name: 'http', containerPort: 3000, protocol: 'TCP' }],
        resources: { limits: { memory: '128Mi' }, requests: { memory: '64Mi' } }
      }
    ],
    status: k8s.podStatus(shape, { name, namespace: NS, ip, image: IMAGE })
  });
}

/** The demo Service's Endpoints for these pods. */
export const endpoints = (ready: Pod[], notReady: Pod[] = []): Endpoints => k8s.endpoints(ready, notReady, APP, NS);
/** The demo Service's EndpointSlice for these pods. */
export const slice = (ready: Pod[], notReady: Pod[] = []): EndpointSlice => k8s.slice(ready, notReady, APP, NS);
/** A Warning (by default) Event in the demo namespace. */
export const kubeEvent = (o: Parameters<typeof k8s.kubeEvent>[0]): KubeEvent => k8s.kubeEvent({ namespace: NS, ...o });
/** A NetworkPolicy in the demo namespace unless told otherwise. */
export const networkPolicy = (name: string, spec: NonNullable<NetworkPolicy['spec']>, namespace = NS): NetworkPolicy =>
  k8s.networkPolicy(name, spec, namespace);

/** A healthy demo workload: Deployment, Service, one ready pod and its endpoints. */
export function healthyCluster(): Partial<FakeCluster> {
  const p = pod('x1y2z');
  return {
    deployments: [deployment()],
    services: [service()],
    pods: [p],
    endpoints: [endpoints([p])],
    endpointSlices: [slice([p])]
  };
}

export function request(checks: readonly CheckName[], o: { phase?: 'diagnose' | 'verify'; deadline?: string } = {}) {
  return eventOf(Events.DiagnosisRequested, {
    healingId: 'h-1',
    target: { namespace: NS, service: APP },
    phase: o.phase ?? 'diagnose',
    checks: [...checks],
    ...(o.deadline ? { deadline: o.deadline } : {})
  });
}

/** Runs one check's handler against a fake cluster; returns the completed data, validated against the catalog schema. */
export async function runCheckOn(
  def: AnyFunctionDef,
  check: CheckName,
  cluster: Partial<FakeCluster> | FakeKube,
  o: { phase?: 'diagnose' | 'verify'; deadline?: string; env?: Record<string, string>; clock?: FakeClock } = {}
): Promise<CompletedData> {
  const kube = 'failNext' in cluster ? cluster : createFakeKube(cluster);
  const ctx = await ctxFor(def, { kube, ...(o.env ? { env: o.env } : {}), ...(o.clock ? { clock: o.clock } : {}) });
  const intents = await def.handle(request([check], o), ctx);
  if (intents.length !== 1) throw new Error(`expected one intent, got ${intents.length}`);
  const [intent] = intents;
  if (intent!.type !== Events.DiagnosisCompleted.type) throw new Error(`unexpected ${intent!.type}`);
  return Events.DiagnosisCompleted.data.parse(intent!.data);
}
