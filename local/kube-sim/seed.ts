import { randomBytes, randomUUID } from 'node:crypto';
import { createObject } from './api/write.js';
import { LAST_APPLIED } from './controllers/rs-annotations.js';
import { stableJson } from './controllers/template-hash.js';
import { DEPENDS_ON_ANNOTATION } from './kubelet/dependencies.js';
import { bootstrapPolicy } from './auth/bootstrap-policy.js';
import { NODE_IP, NODE_NAME } from './kubelet/kubelet.js';
import { resourceForKind } from './resources.js';
import { type ObjectStore } from './store.js';
import { type KubeObject, k8sTime } from './types.js';

/*
 * The starting cluster: the namespaces every cluster has, one node, and (seed 'demo') the demo workloads, each a
 * Deployment and a Service created as `kubectl apply` leaves them, with fixed ClusterIPs: two MCP tool backends
 * opted in to self-healing (mcp-demo needs the database), one legacy workload that is not, and the database,
 * postgres, opted in.
 */

export const SELF_HEAL_LABEL = 'cortex.dev/self-heal';

const meta = (name: string, namespace?: string, labels?: Record<string, string>): KubeObject['metadata'] =>
  ({ name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) }) as KubeObject['metadata'];

/**
 * The one node, with everything a kubelet reports (a client that validates its models needs all of nodeInfo): ids that
 * are fresh per simulator, like a booted machine's, and the images a node of this version holds.
 */
function node(now: number): KubeObject {
  const resources = {
    cpu: '4',
    memory: '16Gi',
    pods: '110',
    'ephemeral-storage': '100Gi',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0'
  };
  const at = k8sTime(now);
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: at,
    lastTransitionTime: at,
    reason,
    message
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      ...meta(NODE_NAME, undefined, {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': NODE_NAME,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'sim'
      }),
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true'
      }
    },
    spec: { podCIDR: '10.244.0.0/16', podCIDRs: ['10.244.0.0/16'], providerID: `kube-sim://${NODE_NAME}` },
    status: {
      capacity: resources,
      allocatable: { ...resources, cpu: '3800m', memory: '15Gi' },
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
      ],
      addresses: [
        { type: 'InternalIP', address: NODE_IP },
        { type: 'Hostname', address: NODE_NAME }
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: randomBytes(16).toString('hex'),
        systemUUID: randomUUID(),
        bootID: randomUUID(),
        kernelVersion: '6.1.0-sim',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        containerRuntimeVersion: 'containerd://1.7.0',
        kubeletVersion: 'v1.30.0-sim',
        kubeProxyVersion: 'v1.30.0-sim',
        operatingSystem: 'linux',
        architecture: 'amd64'
      },
      images: [
        { names: ['registry.k8s.io/pause:3.9'], sizeBytes: 321520 },
        { names: ['registry.k8s.io/coredns/coredns:v1.11.1'], sizeBytes: 18182961 },
        { names: ['registry.k8s.io/kube-proxy:v1.30.0'], sizeBytes: 29020473 }
      ]
    }
  };
}

export interface WorkloadSpec {
  name: string;
  namespace: string;
  image: string;
  /** The container port. */
  port: number;
  replicas: number;
  selfHeal: boolean;
  memoryLimit?: string;
  /** The Service's port (default 80, to the container port). */
  servicePort?: number;
  /** A fixed ClusterIP (default: the next free one). */
  clusterIP?: string;
  /** How the probes reach the container (default `http`: GET /healthz). */
  probe?: 'http' | 'tcp';
  /** Annotations of the Deployment (e.g. `sim.cortex.dev/depends-on`). */
  annotations?: Record<string, string>;
}

/** A Deployment + Service pair as a team would write it (labels on the Deployment, its template and the Service). */
export function workload(w: WorkloadSpec): { deployment: KubeObject; service: KubeObject } {
  const labels: Record<string, string> = { app: w.name, ...(w.selfHeal ? { [SELF_HEAL_LABEL]: 'enabled' } : {}) };
  const probe = w.probe === 'tcp' ? { tcpSocket: { port: w.port } } : { httpGet: { path: '/healthz', port: w.port } };
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...meta(w.name, w.namespace, labels), ...(w.annotations ? { annotations: { ...w.annotations } } : {}) },
    spec: {
      replicas: w.replicas,
      selector: { matchLabels: { app: w.name } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'server',
              image: w.image,
              ports: [{ name: w.probe === 'tcp' ? 'tcp' : 'http', containerPort: w.port, protocol: 'TCP' }],
              resources: {
                requests: { cpu: '50m', memory: '64Mi' },
                limits: { cpu: '250m', memory: w.memoryLimit ?? '128Mi' }
              },
              readinessProbe: { ...probe, periodSeconds: 10, failureThreshold: 3 },
              livenessProbe: { ...probe, periodSeconds: 20 }
            }
          ]
        }
      }
    }
  };
  const port = w.servicePort ?? 80;
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(w.name, w.namespace, labels),
    spec: {
      ...(w.clusterIP ? { clusterIP: w.clusterIP } : {}),
      selector: { app: w.name },
      ports: [{ name: w.probe === 'tcp' ? 'tcp' : 'http', port, targetPort: w.port, protocol: 'TCP' }]
    }
  };
  return { deployment, service };
}

/**
 * The object as `kubectl apply -f` leaves it: the manifest it applied, in `kubectl.kubernetes.io/last-applied-configuration`
 * (JSON with sorted keys and a final newline, without that annotation itself).
 */
export function asApplied(manifest: KubeObject): KubeObject {
  const annotations = { ...(manifest.metadata.annotations ?? {}) };
  annotations[LAST_APPLIED] = `${stableJson(manifest)}\n`;
  return { ...manifest, metadata: { ...manifest.metadata, annotations } };
}

export const DEMO_WORKLOADS: readonly WorkloadSpec[] = [
  {
    name: 'mcp-demo',
    namespace: 'demo',
    image: 'ghcr.io/cortex-demo/mcp-demo:1.4.2',
    port: 3000,
    replicas: 1,
    selfHeal: true,
    clusterIP: '10.96.0.12',
    annotations: { [DEPENDS_ON_ANNOTATION]: 'postgres:5432' }
  },
  {
    name: 'mcp-tools',
    namespace: 'demo',
    image: 'ghcr.io/cortex-demo/mcp-tools:0.9.0',
    port: 3001,
    replicas: 2,
    selfHeal: true,
    clusterIP: '10.96.0.13'
  },
  {
    name: 'legacy-api',
    namespace: 'demo',
    image: 'ghcr.io/cortex-demo/legacy-api:2.3.1',
    port: 8080,
    replicas: 1,
    selfHeal: false,
    clusterIP: '10.96.0.14'
  },
  {
    name: 'postgres',
    namespace: 'demo',
    image: 'docker.io/library/postgres:16.4',
    port: 5432,
    servicePort: 5432,
    replicas: 1,
    selfHeal: true,
    memoryLimit: '256Mi',
    probe: 'tcp',
    clusterIP: '10.96.0.15'
  }
];

/** Every cluster: namespaces default, kube-system, kube-public, the node, the `kubernetes` Service, default RBAC. */
export function seedBase(store: ObjectStore, now: number = Date.now()): void {
  const policy = bootstrapPolicy();
  for (const role of policy.clusterRoles) createObject(store, resourceForKind('ClusterRole'), role, undefined);
  for (const b of policy.clusterRoleBindings) createObject(store, resourceForKind('ClusterRoleBinding'), b, undefined);
  const ns = resourceForKind('Namespace');
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
    createObject(store, ns, { metadata: { name } }, undefined);
  createObject(store, resourceForKind('Node'), node(now), undefined);
  createObject(
    store,
    resourceForKind('Service'),
    {
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }] }
    },
    'default'
  );
}

export function seedDemo(store: ObjectStore): void {
  createObject(store, resourceForKind('Namespace'), { metadata: { name: 'demo' } }, undefined);
  for (const w of DEMO_WORKLOADS) {
    const { deployment, service } = workload(w);
    createObject(store, resourceForKind('Deployment'), asApplied(deployment), w.namespace);
    createObject(store, resourceForKind('Service'), asApplied(service), w.namespace);
  }
}
