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

/*
 * Builders for check tests: the demo workload `mcp-demo` in `demo` (a Deployment and a Service selecting
 * app=mcp-demo), and pods in the status shapes of the kubelet (reference kubernetes-api.md §9).
 */

type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];
export type CompletedData = z.output<typeof Events.DiagnosisCompleted.data>;

export const NS = 'demo';
export const APP = 'mcp-demo';
export const IMAGE = 'ghcr.io/cortex-demo/mcp-demo:1.4.2';
export const T1 = '2026-11-27T09:58:00.000Z';
export const T2 = '2026-11-27T09:59:30.000Z';

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
  const replicas = o.replicas ?? 1;
  const labels = o.labels ?? { app: APP, 'cortex.dev/self-heal': 'enabled' };
  const limits: Record<string, string> = o.memoryLimit === null ? {} : { memory: o.memoryLimit ?? '128Mi' };
  const requests: Record<string, string> = o.memoryRequest === null ? {} : { cpu: '50m', memory: o.memoryRequest ?? '64Mi' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: APP,
      namespace: NS,
      uid: 'uid-deploy',
      labels: { app: APP },
      ...(o.annotations ? { annotations: o.annotations } : {}),
      generation: 1
    },
    spec: {
      replicas,
      ...(o.paused ? { paused: true } : {}),
      selector: { matchLabels: { app: APP } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'server',
              image: IMAGE,
              ports: [{ name: 'http', containerPort: 3000, protocol: 'TCP' }],
              resources: { limits, requests }
            }
          ]
        }
      }
    },
    status: o.status ?? {
      observedGeneration: 1,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.'
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${APP}-7d4b9c8f6" has successfully progressed.`
        }
      ]
    }
  };
}

export function service(o: { selector?: Record<string, string>; targetPort?: number | string } = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: APP, namespace: NS, labels: { app: APP } },
    spec: {
      selector: o.selector ?? { app: APP },
      ports: [{ name: 'http', port: 80, targetPort: o.targetPort ?? 3000, protocol: 'TCP' }]
    }
  };
}

const running = (restartCount = 0): ContainerStatus => ({
  name: 'server',
  image: IMAGE,
  imageID: '',
  ready: true,
  started: true,
  restartCount,
  state: { running: { startedAt: new Date(T2) } }
});

export type PodShape =
  | 'ready'
  | 'crashloop'
  | 'oom'
  | 'oom-just-killed'
  | 'restarting'
  | 'image-pull'
  | 'err-image-pull'
  | 'evicted'
  | 'failed'
  | 'not-ready'
  | 'creating'
  | 'unschedulable'
  | 'config-error';

const notReadyConditions = [
  { type: 'Initialized', status: 'True' },
  { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [server]' },
  { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady' }
];

function statusOf(shape: PodShape, name: string, ip: string): Pod['status'] {
  const waiting = (
    reason: string,
    message: string,
    restartCount = 0,
    last?: ContainerStatus['lastState']
  ): Pod['status'] => ({
    phase: shape === 'image-pull' || shape === 'err-image-pull' || shape === 'config-error' ? 'Pending' : 'Running',
    podIP: ip,
    conditions: notReadyConditions,
    containerStatuses: [
      {
        name: 'server',
        image: IMAGE,
        imageID: '',
        ready: false,
        started: false,
        restartCount,
        state: { waiting: { reason, message } },
        ...(last ? { lastState: last } : {})
      }
    ]
  });
  switch (shape) {
    case 'ready':
      return {
        phase: 'Running',
        podIP: ip,
        startTime: new Date(T1),
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: 'True' },
          { type: 'ContainersReady', status: 'True' }
        ],
        containerStatuses: [running()]
      };
    case 'crashloop':
      return waiting(
        'CrashLoopBackOff',
        `back-off 2m40s restarting failed container=server pod=${name}_demo(uid-${name})`,
        5,
        {
          terminated: { exitCode: 1, reason: 'Error', startedAt: new Date(T1), finishedAt: new Date(T2) }
        }
      );
    case 'oom':
      return waiting(
        'CrashLoopBackOff',
        `back-off 40s restarting failed container=server pod=${name}_demo(uid-${name})`,
        3,
        {
          terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: new Date(T1), finishedAt: new Date(T2) }
        }
      );
    case 'restarting':
      return {
        phase: 'Running',
        podIP: ip,
        conditions: notReadyConditions,
        containerStatuses: [
          {
            ...running(3),
            ready: false,
            lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: new Date(T1), finishedAt: new Date(T2) } }
          }
        ]
      };
    case 'oom-just-killed':
      return {
        phase: 'Running',
        podIP: ip,
        conditions: notReadyConditions,
        containerStatuses: [
          {
            name: 'server',
            image: IMAGE,
            imageID: '',
            ready: false,
            started: false,
            restartCount: 1,
            state: { terminated: { exitCode: 137, reason: 'OOMKilled' } }
          }
        ]
      };
    case 'image-pull':
      return waiting('ImagePullBackOff', `Back-off pulling image "${IMAGE}"`);
    case 'err-image-pull':
      return waiting(
        'ErrImagePull',
        `rpc error: code = NotFound desc = failed to pull and unpack image "${IMAGE}": not found`
      );
    case 'config-error':
      return waiting('CreateContainerConfigError', 'secret "mcp-demo-token" not found');
    case 'creating':
      return { ...waiting('ContainerCreating', ''), phase: 'Pending' };
    case 'not-ready':
      return {
        phase: 'Running',
        podIP: ip,
        conditions: notReadyConditions,
        containerStatuses: [{ ...running(), ready: false }]
      };
    case 'evicted':
      return {
        phase: 'Failed',
        reason: 'Evicted',
        message:
          'The node was low on resource: memory. Threshold quantity: 100Mi, available: 42Mi. Container server was using 900Mi, request is 0, has larger consumption of memory. ',
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet' }
        ],
        containerStatuses: [
          {
            name: 'server',
            ready: false,
            started: false,
            restartCount: 0,
            image: IMAGE,
            imageID: '',
            state: { terminated: { exitCode: 137, reason: 'Error' } }
          }
        ]
      };
    case 'failed':
      return {
        phase: 'Failed',
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'ContainersReady', status: 'False' }
        ],
        containerStatuses: [
          {
            name: 'server',
            ready: false,
            restartCount: 0,
            image: IMAGE,
            imageID: '',
            state: { terminated: { exitCode: 1, reason: 'containerFailed', message: 'boom' } }
          }
        ]
      };
    case 'unschedulable':
      return {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/1 nodes are available: 1 Insufficient memory.'
          }
        ]
      };
  }
}

let ipSeq = 10;

/** A pod of mcp-demo named `mcp-demo-7d4b9c8f6-<suffix>` in the given state. */
export function pod(
  suffix: string,
  shape: PodShape = 'ready',
  o: { ip?: string; labels?: Record<string, string>; terminating?: boolean } = {}
): Pod {
  const name = `${APP}-7d4b9c8f6-${suffix}`;
  const ip = o.ip ?? `10.244.0.${ipSeq++}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      labels: o.labels ?? { app: APP, 'pod-template-hash': '7d4b9c8f6' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${APP}-7d4b9c8f6`, uid: 'uid-rs', controller: true }
      ],
      ...(o.terminating ? { deletionTimestamp: new Date(T2) } : {})
    },
    spec: {
      containers: [
        {
          name: 'server',
          image: IMAGE,
          ports: [{ name: 'http', containerPort: 3000, protocol: 'TCP' }],
          resources: { limits: { memory: '128Mi' }, requests: { memory: '64Mi' } }
        }
      ]
    },
    status: statusOf(shape, name, ip)
  };
}

const ref = (p: Pod) => ({ kind: 'Pod', name: p.metadata!.name!, namespace: NS, uid: p.metadata!.uid });

/** The Endpoints object the endpoints controller would write for these pods. */
export function endpoints(ready: Pod[], notReady: Pod[] = []): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: APP, namespace: NS },
    subsets:
      ready.length + notReady.length === 0
        ? []
        : [
            {
              addresses: ready.map((p) => ({ ip: p.status!.podIP!, targetRef: ref(p) })),
              notReadyAddresses: notReady.map((p) => ({ ip: p.status!.podIP!, targetRef: ref(p) })),
              ports: [{ name: 'http', port: 3000, protocol: 'TCP' }]
            }
          ]
  };
}

/** The EndpointSlice for these pods. */
export function slice(ready: Pod[], notReady: Pod[] = []): EndpointSlice {
  const ep = (p: Pod, isReady: boolean) => ({
    addresses: [p.status!.podIP!],
    conditions: { ready: isReady, serving: isReady, terminating: false },
    targetRef: ref(p)
  });
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    addressType: 'IPv4',
    metadata: { name: `${APP}-abcde`, namespace: NS, labels: { 'kubernetes.io/service-name': APP } },
    endpoints: [...ready.map((p) => ep(p, true)), ...notReady.map((p) => ep(p, false))],
    ports: [{ name: 'http', port: 3000, protocol: 'TCP' }]
  };
}

/** A core/v1 Event about an object, seen `minutesAgo` before the fake clock's start. */
export function kubeEvent(o: {
  kind: string;
  name: string;
  reason: string;
  message?: string;
  type?: string;
  count?: number;
  minutesAgo?: number;
}): KubeEvent {
  const at = new Date(new Date('2026-11-27T10:00:00.000Z').getTime() - (o.minutesAgo ?? 1) * 60_000);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${o.name}.${o.reason}.${Math.random().toString(36).slice(2, 8)}`, namespace: NS },
    involvedObject: { kind: o.kind, name: o.name, namespace: NS },
    reason: o.reason,
    message: o.message ?? o.reason,
    type: o.type ?? 'Warning',
    count: o.count ?? 1,
    firstTimestamp: at,
    lastTimestamp: at,
    source: { component: 'kubelet' }
  };
}

export function networkPolicy(name: string, spec: NonNullable<NetworkPolicy['spec']>, namespace = NS): NetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

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
