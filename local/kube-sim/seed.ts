import { createObject } from './api/write.js';
import { bootstrapPolicy } from './auth/bootstrap-policy.js';
import { NODE_IP, NODE_NAME } from './kubelet/kubelet.js';
import { resourceForKind } from './resources.js';
import { type ObjectStore } from './store.js';
import { type KubeObject } from './types.js';

/*
 * The starting cluster: the namespaces every cluster has, one node, and (seed 'demo') the demo workloads: two
 * MCP tool backends opted in to self-healing and one legacy workload that is not.
 */

export const SELF_HEAL_LABEL = 'cortex.dev/self-heal';

const meta = (name: string, namespace?: string, labels?: Record<string, string>): KubeObject['metadata'] =>
  ({ name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) }) as KubeObject['metadata'];

function node(): KubeObject {
  const resources = { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(NODE_NAME, undefined, {
      'kubernetes.io/hostname': NODE_NAME,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'node.kubernetes.io/instance-type': 'sim'
    }),
    spec: { podCIDR: '10.244.0.0/16' },
    status: {
      capacity: resources,
      allocatable: { ...resources, cpu: '3800m', memory: '15Gi' },
      conditions: [
        {
          type: 'MemoryPressure',
          status: 'False',
          reason: 'KubeletHasSufficientMemory',
          message: 'kubelet has sufficient memory available'
        },
        {
          type: 'DiskPressure',
          status: 'False',
          reason: 'KubeletHasNoDiskPressure',
          message: 'kubelet has no disk pressure'
        },
        {
          type: 'PIDPressure',
          status: 'False',
          reason: 'KubeletHasSufficientPID',
          message: 'kubelet has sufficient PID available'
        },
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      ],
      addresses: [
        { type: 'InternalIP', address: NODE_IP },
        { type: 'Hostname', address: NODE_NAME }
      ],
      nodeInfo: {
        kubeletVersion: 'v1.30.0-sim',
        kubeProxyVersion: 'v1.30.0-sim',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: '6.1.0-sim',
        containerRuntimeVersion: 'containerd://1.7.0',
        operatingSystem: 'linux',
        architecture: 'amd64'
      }
    }
  };
}

export interface WorkloadSpec {
  name: string;
  namespace: string;
  image: string;
  port: number;
  replicas: number;
  selfHeal: boolean;
  memoryLimit?: string;
}

/** A Deployment + Service pair as a team would write it (labels on the Deployment, its template and the Service). */
export function workload(w: WorkloadSpec): { deployment: KubeObject; service: KubeObject } {
  const labels: Record<string, string> = { app: w.name, ...(w.selfHeal ? { [SELF_HEAL_LABEL]: 'enabled' } : {}) };
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(w.name, w.namespace, labels),
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
              ports: [{ name: 'http', containerPort: w.port, protocol: 'TCP' }],
              resources: {
                requests: { cpu: '50m', memory: '64Mi' },
                limits: { cpu: '250m', memory: w.memoryLimit ?? '128Mi' }
              },
              readinessProbe: { httpGet: { path: '/healthz', port: w.port }, periodSeconds: 10, failureThreshold: 3 },
              livenessProbe: { httpGet: { path: '/healthz', port: w.port }, periodSeconds: 20 }
            }
          ]
        }
      }
    }
  };
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(w.name, w.namespace, labels),
    spec: { selector: { app: w.name }, ports: [{ name: 'http', port: 80, targetPort: w.port, protocol: 'TCP' }] }
  };
  return { deployment, service };
}

export const DEMO_WORKLOADS: readonly WorkloadSpec[] = [
  {
    name: 'mcp-demo',
    namespace: 'demo',
    image: 'ghcr.io/cortex-demo/mcp-demo:1.4.2',
    port: 3000,
    replicas: 1,
    selfHeal: true
  },
  {
    name: 'mcp-tools',
    namespace: 'demo',
    image: 'ghcr.io/cortex-demo/mcp-tools:0.9.0',
    port: 3001,
    replicas: 2,
    selfHeal: true
  },
  {
    name: 'legacy-api',
    namespace: 'demo',
    image: 'ghcr.io/cortex-demo/legacy-api:2.3.1',
    port: 8080,
    replicas: 1,
    selfHeal: false
  }
];

/** Every cluster: namespaces default, kube-system, kube-public, the node, the `kubernetes` Service, default RBAC. */
export function seedBase(store: ObjectStore): void {
  const policy = bootstrapPolicy();
  for (const role of policy.clusterRoles) createObject(store, resourceForKind('ClusterRole'), role, undefined);
  for (const b of policy.clusterRoleBindings) createObject(store, resourceForKind('ClusterRoleBinding'), b, undefined);
  const ns = resourceForKind('Namespace');
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
    createObject(store, ns, { metadata: { name } }, undefined);
  createObject(store, resourceForKind('Node'), node(), undefined);
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
    createObject(store, resourceForKind('Deployment'), deployment, w.namespace);
    createObject(store, resourceForKind('Service'), service, w.namespace);
  }
}
