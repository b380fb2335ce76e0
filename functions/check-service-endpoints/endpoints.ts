import type { EndpointSlice, Endpoints } from '../../shared/kube/port.js';

/*
 * Endpoint addresses of a Service from both APIs: the legacy Endpoints object and the EndpointSlices that
 * kube-proxy programs from. Pure.
 */

export interface Address {
  ip: string;
  /** The pod the address points at, when the controller recorded it. */
  pod: string | undefined;
}

export interface EndpointView {
  ready: Address[];
  notReady: Address[];
}

export interface EndpointCounts {
  /** What the Endpoints object says, or undefined when there is none. */
  endpoints: EndpointView | undefined;
  /** What the Service's EndpointSlices say, or undefined when there are none. */
  slices: EndpointView | undefined;
  /** The view traffic follows: the slices when there are any (kube-proxy reads those), else the Endpoints. */
  effective: EndpointView;
}

const podOf = (ref: { kind?: string; name?: string } | undefined): string | undefined =>
  ref?.kind === 'Pod' ? ref.name : undefined;

function fromEndpoints(ep: Endpoints): EndpointView {
  const view: EndpointView = { ready: [], notReady: [] };
  for (const s of ep.subsets ?? []) {
    for (const a of s.addresses ?? []) view.ready.push({ ip: a.ip, pod: podOf(a.targetRef) });
    for (const a of s.notReadyAddresses ?? []) view.notReady.push({ ip: a.ip, pod: podOf(a.targetRef) });
  }
  return view;
}

function fromSlices(slices: readonly EndpointSlice[]): EndpointView {
  const view: EndpointView = { ready: [], notReady: [] };
  const seen = new Set<string>();
  for (const s of slices) {
    for (const e of s.endpoints ?? []) {
      // discovery.k8s.io/v1: a nil `ready` condition means ready; terminating endpoints are never ready.
      const ready = e.conditions?.ready !== false && e.conditions?.terminating !== true;
      for (const ip of e.addresses ?? []) {
        if (seen.has(ip)) continue;
        seen.add(ip);
        (ready ? view.ready : view.notReady).push({ ip, pod: podOf(e.targetRef) });
      }
    }
  }
  return view;
}

/**
 * Counts ready and not-ready addresses of a Service.
 *
 * @example
 * countEndpoints(endpoints, slices).effective.ready.length; // → 1
 */
export function countEndpoints(endpoints: Endpoints | undefined, slices: readonly EndpointSlice[]): EndpointCounts {
  const e = endpoints ? fromEndpoints(endpoints) : undefined;
  const s = slices.length > 0 ? fromSlices(slices) : undefined;
  return { endpoints: e, slices: s, effective: s ?? e ?? { ready: [], notReady: [] } };
}

/** `10.0.0.5 (pod x), 10.0.0.6` */
export function describeAddresses(addresses: readonly Address[], max = 5): string {
  const shown = addresses.slice(0, max).map((a) => (a.pod ? `${a.ip} (pod ${a.pod})` : a.ip));
  return addresses.length > max ? `${shown.join(', ')} and ${addresses.length - max} more` : shown.join(', ') || 'none';
}
