import { faultsOf } from '../kubelet/faults.js';
import { resourceForKind } from '../resources.js';
import { type ObjectStore } from '../store.js';
import { type Deployment, type KubeObject } from '../types.js';

/*
 * The `network-block` fault: a deny-all-ingress NetworkPolicy selecting the workload's pods exists exactly while the
 * Deployment's `sim.cortex.dev/fault` list names `network-block`.
 */

const DEPLOY = resourceForKind('Deployment');
const NETPOL = resourceForKind('NetworkPolicy');
const MARK = 'sim.cortex.dev/fault';

export const networkPolicyName = (deployment: string): string => `${deployment}-sim-deny-all`;

export function syncNetworkBlocks(store: ObjectStore): void {
  const wanted = new Set<string>();
  for (const d of store.list(DEPLOY) as Deployment[]) {
    if (!faultsOf(d).includes('network-block')) continue;
    const name = networkPolicyName(d.metadata.name);
    wanted.add(`${d.metadata.namespace}/${name}`);
    if (store.get(NETPOL, d.metadata.namespace, name)) continue;
    const np: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name,
        namespace: d.metadata.namespace,
        uid: '',
        resourceVersion: '',
        creationTimestamp: '',
        labels: { [MARK]: 'network-block', 'app.kubernetes.io/managed-by': 'kube-sim' },
        annotations: { 'sim.cortex.dev/deployment': d.metadata.name }
      },
      spec: {
        podSelector: { matchLabels: { ...(d.spec.selector.matchLabels ?? {}) } },
        policyTypes: ['Ingress'],
        ingress: []
      }
    };
    store.create(NETPOL, np);
  }
  for (const np of store.list(NETPOL)) {
    if (np.metadata.labels?.[MARK] === 'network-block' && !wanted.has(`${np.metadata.namespace}/${np.metadata.name}`)) {
      store.remove(NETPOL, np.metadata.namespace, np.metadata.name);
    }
  }
}
