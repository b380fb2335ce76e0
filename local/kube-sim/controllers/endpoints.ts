import { createHash } from 'node:crypto';
import { type PodFault } from '../kubelet/faults.js';
import { resourceForKind } from '../resources.js';
import { matchesLabels, requirementsFromSelector } from '../selectors.js';
import { type ObjectStore } from '../store.js';
import { type KubeObject, type Pod, type Service, type ServicePort, deepEqual } from '../types.js';
import { isReady } from './replicaset.js';

/*
 * The endpoints and endpointslice controllers: for every Service with a selector, the pods it selects that have an
 * IP, ready ones as addresses and the rest as notReadyAddresses (terminating pods are left out). A pod under the
 * `endpoints-stale` fault is ready but left out entirely, as when the endpoints controller lags behind.
 */

const SERVICES = resourceForKind('Service');
const PODS = resourceForKind('Pod');
const ENDPOINTS = resourceForKind('Endpoints');
const SLICES = resourceForKind('EndpointSlice');
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';

function targetPort(port: ServicePort, pod: Pod): number | undefined {
  const tp = port.targetPort ?? port.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  for (const c of pod.spec.containers) for (const p of c.ports ?? []) if (p.name === tp) return p.containerPort;
  return undefined;
}

const shell = (kind: string, apiVersion: string, name: string, ns: string | undefined): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: ns, uid: '', resourceVersion: '', creationTimestamp: '' }
});

/** Writes the object when its content (everything but server-set metadata) differs. */
function upsert(store: ObjectStore, def: typeof ENDPOINTS, desired: KubeObject): void {
  const existing = store.get(def, desired.metadata.namespace, desired.metadata.name);
  if (!existing) {
    store.create(def, desired);
    return;
  }
  const { metadata: _m, ...want } = desired;
  const { metadata: _e, ...have } = existing;
  const metaSame =
    deepEqual(desired.metadata.labels, existing.metadata.labels) &&
    deepEqual(desired.metadata.ownerReferences, existing.metadata.ownerReferences);
  if (deepEqual(want, have) && metaSame) return;
  store.update(def, {
    ...desired,
    metadata: { ...existing.metadata, labels: desired.metadata.labels, ownerReferences: desired.metadata.ownerReferences }
  });
}

export function syncEndpoints(store: ObjectStore, faultFor: (pod: Pod) => PodFault): void {
  const pods = store.list(PODS) as Pod[];
  const services = store.list(SERVICES) as Service[];
  const wanted = new Set<string>();
  for (const svc of services) {
    if (!svc.spec.selector || Object.keys(svc.spec.selector).length === 0) continue;
    const ns = svc.metadata.namespace;
    wanted.add(`${ns}/${svc.metadata.name}`);
    const reqs = requirementsFromSelector({ matchLabels: svc.spec.selector });
    const selected = pods.filter(
      (p) =>
        p.metadata.namespace === ns &&
        matchesLabels(reqs, p.metadata.labels) &&
        p.status?.podIP &&
        !p.metadata.deletionTimestamp &&
        p.status.phase !== 'Failed' &&
        p.status.phase !== 'Succeeded' &&
        !faultFor(p).staleEndpoints
    );
    const address = (p: Pod) => ({
      ip: p.status!.podIP!,
      nodeName: p.spec.nodeName,
      targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid }
    });
    const ports = svc.spec.ports ?? [];
    const ready = selected.filter(isReady);
    const notReady = selected.filter((p) => !isReady(p));
    const first = selected[0];
    const epPorts = ports.map((p) => ({
      ...(p.name ? { name: p.name } : {}),
      port: (first && targetPort(p, first)) ?? Number(p.targetPort ?? p.port),
      protocol: p.protocol ?? 'TCP'
    }));
    const ep = shell('Endpoints', 'v1', svc.metadata.name, ns);
    ep.metadata.labels = { ...(svc.metadata.labels ?? {}) };
    if (selected.length > 0) {
      ep['subsets'] = [
        {
          ...(ready.length ? { addresses: ready.map(address) } : {}),
          ...(notReady.length ? { notReadyAddresses: notReady.map(address) } : {}),
          ports: epPorts
        }
      ];
    }
    upsert(store, ENDPOINTS, ep);
    const sliceName = `${svc.metadata.name}-${createHash('sha256').update(svc.metadata.uid).digest('hex').slice(0, 5)}`;
    const slice = shell('EndpointSlice', 'discovery.k8s.io/v1', sliceName, ns);
    slice.metadata.labels = {
      ...(svc.metadata.labels ?? {}),
      [SERVICE_NAME_LABEL]: svc.metadata.name,
      [MANAGED_BY]: 'endpointslice-controller.k8s.io'
    };
    slice.metadata.ownerReferences = [
      {
        apiVersion: 'v1',
        kind: 'Service',
        name: svc.metadata.name,
        uid: svc.metadata.uid,
        controller: true,
        blockOwnerDeletion: true
      }
    ];
    slice['addressType'] = 'IPv4';
    slice['endpoints'] = selected.map((p) => ({
      addresses: [p.status!.podIP!],
      conditions: { ready: isReady(p), serving: isReady(p), terminating: false },
      nodeName: p.spec.nodeName,
      targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid }
    }));
    slice['ports'] = epPorts.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol }));
    upsert(store, SLICES, slice);
  }
  // Endpoints of deleted Services go with them (slices follow through their owner reference).
  for (const ep of store.list(ENDPOINTS)) {
    if (
      !wanted.has(`${ep.metadata.namespace}/${ep.metadata.name}`) &&
      !services.some((s) => s.metadata.namespace === ep.metadata.namespace && s.metadata.name === ep.metadata.name)
    ) {
      store.remove(ENDPOINTS, ep.metadata.namespace, ep.metadata.name);
    }
  }
}
