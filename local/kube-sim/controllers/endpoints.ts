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

/** The Endpoints and the EndpointSlice of a Service that selects `selected` (pods with an IP, not terminating). */
function desiredObjects(svc: Service, selected: Pod[]): { endpoints: KubeObject; slice: KubeObject } {
  const ns = svc.metadata.namespace;
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
  return { endpoints: ep, slice };
}

/** What the last sync of one Service object selected, and the Endpoints and EndpointSlice it left stored. */
interface Synced {
  pods: Pod[];
  endpoints: KubeObject | undefined;
  sliceName: string;
  slice: KubeObject | undefined;
}

const samePods = (a: readonly Pod[], b: readonly Pod[]): boolean => a.length === b.length && a.every((p, i) => p === b[i]);

export class EndpointsController {
  /**
   * Keyed by the stored Service object, which is immutable (a changed Service is a new key). While a Service selects
   * the very same pod objects and its Endpoints and slice are still the objects the last sync left, the result
   * would be the same: the sync skips it instead of rebuilding both and comparing them with the stored ones.
   */
  private readonly synced = new WeakMap<Service, Synced>();

  constructor(
    private readonly store: ObjectStore,
    private readonly faultFor: (pod: Pod) => PodFault
  ) {}

  sync(): void {
    const { store } = this;
    const podsByNamespace = new Map<string | undefined, Pod[]>();
    for (const p of store.list(PODS) as Pod[]) {
      const same = podsByNamespace.get(p.metadata.namespace);
      if (same) same.push(p);
      else podsByNamespace.set(p.metadata.namespace, [p]);
    }
    const services = store.list(SERVICES) as Service[];
    for (const svc of services) {
      if (!svc.spec.selector || Object.keys(svc.spec.selector).length === 0) continue;
      const ns = svc.metadata.namespace;
      const reqs = requirementsFromSelector({ matchLabels: svc.spec.selector });
      const selected = (podsByNamespace.get(ns) ?? []).filter(
        (p) =>
          matchesLabels(reqs, p.metadata.labels) &&
          p.status?.podIP &&
          !p.metadata.deletionTimestamp &&
          p.status.phase !== 'Failed' &&
          p.status.phase !== 'Succeeded' &&
          !this.faultFor(p).staleEndpoints
      );
      const last = this.synced.get(svc);
      if (
        last &&
        samePods(last.pods, selected) &&
        store.get(ENDPOINTS, ns, svc.metadata.name) === last.endpoints &&
        store.get(SLICES, ns, last.sliceName) === last.slice
      )
        continue;
      const { endpoints, slice } = desiredObjects(svc, selected);
      upsert(store, ENDPOINTS, endpoints);
      upsert(store, SLICES, slice);
      this.synced.set(svc, {
        pods: selected,
        endpoints: store.get(ENDPOINTS, ns, svc.metadata.name),
        sliceName: slice.metadata.name,
        slice: store.get(SLICES, ns, slice.metadata.name)
      });
    }
    // Endpoints of deleted Services go with them (slices follow through their owner reference).
    const serviceKeys = new Set(services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`));
    for (const ep of store.list(ENDPOINTS)) {
      if (!serviceKeys.has(`${ep.metadata.namespace}/${ep.metadata.name}`))
        store.remove(ENDPOINTS, ep.metadata.namespace, ep.metadata.name);
    }
  }
}
