import type {
  Deployment,
  EndpointSlice,
  Endpoints,
  KubeEvent,
  NetworkPolicy,
  Pod,
  Service
} from '../../shared/kube/port.js';

/*
 * The one set of builders for Kubernetes objects in tests: Deployments, Services, pods and their statuses, Endpoints
 * and EndpointSlices, Events, NetworkPolicies, in the shapes the API server and the kubelet give them. Test suites
 * bind them to their own workload (check-cluster.ts: `mcp-demo`; remediation-cluster.ts: `api`).
 */

export type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];
type Container = NonNullable<NonNullable<NonNullable<Deployment['spec']>['template']['spec']>['containers']>[number];

export const OPTED_IN = { 'cortex.dev/self-heal': 'enabled' } as const;
export const T1 = '2026-11-27T09:58:00.000Z';
export const T2 = '2026-11-27T09:59:30.000Z';

export interface DeploymentOptions {
  name?: string;
  namespace?: string;
  uid?: string;
  replicas?: number;
  /** The Deployment's own labels: where the opt-in is read. */
  labels?: Record<string, string>;
  /** The pod template's labels (default `app: <name>`). */
  templateLabels?: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
  status?: Deployment['status'];
  paused?: boolean;
  containers?: Container[];
  imagePullSecrets?: string[];
}

/** A Deployment selecting `app=<name>`, with the status of a finished rollout unless given one. */
export function deployment(o: DeploymentOptions = {}): Deployment {
  const name = o.name ?? 'mcp-demo';
  const replicas = o.replicas ?? 1;
  const generation = o.generation ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: o.namespace ?? 'demo',
      uid: o.uid ?? `uid-${name}`,
      labels: o.labels ?? { app: name },
      ...(o.annotations ? { annotations: o.annotations } : {}),
      generation
    },
    spec: {
      replicas,
      ...(o.paused ? { paused: true } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: o.templateLabels ?? { app: name } },
        spec: {
          containers: (o.containers ?? [{ name: 'server', image: `ghcr.io/cortex-demo/${name}:1.0.0` }]).map((c) => ({
            ...c
          })),
          ...(o.imagePullSecrets ? { imagePullSecrets: o.imagePullSecrets.map((n) => ({ name: n })) } : {})
        }
      }
    },
    status: o.status ?? {
      observedGeneration: generation,
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
          message: `ReplicaSet "${name}-7d4b9c8f6" has successfully progressed.`
        }
      ]
    }
  };
}

/** A Service selecting `app=<name>` (or `selector`), port 80 to `targetPort`. */
export function service(
  o: { name?: string; namespace?: string; selector?: Record<string, string>; targetPort?: number | string } = {}
): Service {
  const name = o.name ?? 'mcp-demo';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: o.namespace ?? 'demo', labels: { app: name } },
    spec: {
      selector: o.selector ?? { app: name },
      ports: [{ name: 'http', port: 80, targetPort: o.targetPort ?? 3000, protocol: 'TCP' }]
    }
  };
}

/** A pod owned by the `<app>-<hash>` ReplicaSet, with the given spec containers and status. */
export function pod(o: {
  name: string;
  namespace?: string;
  app?: string;
  labels?: Record<string, string>;
  hash?: string;
  containers?: Container[];
  status: Pod['status'];
  terminating?: boolean;
}): Pod {
  const app = o.app ?? 'mcp-demo';
  const hash = o.hash ?? '7d4b9c8f6';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: o.name,
      namespace: o.namespace ?? 'demo',
      uid: `uid-${o.name}`,
      labels: o.labels ?? { app, 'pod-template-hash': hash },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${hash}`, uid: 'uid-rs', controller: true }
      ],
      ...(o.terminating ? { deletionTimestamp: new Date(T2) } : {})
    },
    spec: { containers: o.containers ?? [{ name: 'server' }] },
    status: o.status
  };
}

/** A running, ready container `name`. */
export const runningStatus = (
  o: { name?: string; image?: string; restartCount?: number; started?: boolean; since?: string } = {}
): ContainerStatus => ({
  name: o.name ?? 'server',
  image: o.image ?? 'ghcr.io/cortex-demo/api:1.0.0',
  imageID: '',
  ready: true,
  ...(o.started ? { started: true } : {}),
  restartCount: o.restartCount ?? 0,
  state: { running: { startedAt: new Date(o.since ?? '2026-11-27T09:00:00Z') } }
});

/** A container in CrashLoopBackOff after `restartCount` failed runs. */
export const crashLooping = (name = 'server', restartCount = 5): ContainerStatus => ({
  name,
  image: 'ghcr.io/cortex-demo/api:1.0.0',
  imageID: '',
  ready: false,
  restartCount,
  state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
  lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: new Date('2026-11-27T09:59:30Z') } }
});

/** A container whose last run was OOMKilled. */
export const oomKilled = (name = 'server'): ContainerStatus => ({
  ...crashLooping(name, 4),
  lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: new Date('2026-11-27T09:59:30Z') } }
});

/** A container that cannot pull its image. */
export const pullingFails = (name = 'server', image = 'ghcr.io/cortex-demo/api:9.9.9'): ContainerStatus => ({
  name,
  image,
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } }
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

/**
 * The status the kubelet reports for a pod of one container `server` in one of the shapes checks tell apart
 * (reference kubernetes-api.md §9).
 */
export function podStatus(
  shape: PodShape,
  o: { name: string; namespace: string; ip: string; image: string }
): Pod['status'] {
  const { name, ip } = o;
  const IMAGE = o.image;
  const running = (restartCount = 0): ContainerStatus =>
    runningStatus({ image: IMAGE, restartCount, started: true, since: T2 });
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
        `back-off 2m40s restarting failed container=server pod=${name}_${o.namespace}(uid-${name})`,
        5,
        {
          terminated: { exitCode: 1, reason: 'Error', startedAt: new Date(T1), finishedAt: new Date(T2) }
        }
      );
    case 'oom':
      return waiting(
        'CrashLoopBackOff',
        `back-off 40s restarting failed container=server pod=${name}_${o.namespace}(uid-${name})`,
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
      return waiting('CreateContainerConfigError', `secret "${name.split('-').slice(0, 2).join('-')}-token" not found`);
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

const ref = (p: Pod) => ({ kind: 'Pod', name: p.metadata!.name!, namespace: p.metadata!.namespace!, uid: p.metadata!.uid });

/** The Endpoints object the endpoints controller would write for these pods of Service `name`. */
export function endpoints(ready: Pod[], notReady: Pod[] = [], name = 'mcp-demo', namespace = 'demo'): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace },
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

/** The EndpointSlice for these pods of Service `name`. */
export function slice(ready: Pod[], notReady: Pod[] = [], name = 'mcp-demo', namespace = 'demo'): EndpointSlice {
  const ep = (p: Pod, isReady: boolean) => ({
    addresses: [p.status!.podIP!],
    conditions: { ready: isReady, serving: isReady, terminating: false },
    targetRef: ref(p)
  });
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    addressType: 'IPv4',
    metadata: { name: `${name}-abcde`, namespace, labels: { 'kubernetes.io/service-name': name } },
    endpoints: [...ready.map((p) => ep(p, true)), ...notReady.map((p) => ep(p, false))],
    ports: [{ name: 'http', port: 3000, protocol: 'TCP' }]
  };
}

/** A core/v1 Event about an object, seen `minutesAgo` before the fake clock's start. */
export function kubeEvent(o: {
  namespace?: string;
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
    metadata: { name: `${o.name}.${o.reason}.${Math.random().toString(36).slice(2, 8)}`, namespace: o.namespace ?? 'demo' },
    involvedObject: { kind: o.kind, name: o.name, namespace: o.namespace ?? 'demo' },
    reason: o.reason,
    message: o.message ?? o.reason,
    type: o.type ?? 'Warning',
    count: o.count ?? 1,
    firstTimestamp: at,
    lastTimestamp: at,
    source: { component: 'kubelet' }
  };
}

export function networkPolicy(name: string, spec: NonNullable<NetworkPolicy['spec']>, namespace = 'demo'): NetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}
