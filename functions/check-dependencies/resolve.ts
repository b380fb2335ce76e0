import type { DependencyFinding } from '../../shared/events/schemas.js';
import type { Deployment, Endpoints, HorizontalPodAutoscaler, KubeEvent, Service } from '../../shared/kube/port.js';
import { restoreReplicas } from '../../shared/kube/restore.js';
import { toSelector } from '../../shared/kube/workload.js';
import { OPT_IN_LABEL, OPT_IN_VALUE } from '../../shared/policy/guardrails.js';
import type { Failure, Reference } from './references.js';

/*
 * From references to dependencies, pure: which Service (or outside address) each reference means, and what state that
 * Service is in. The I/O that gathers the objects is in rules.ts.
 */

/** A dependency the evidence points at, before its state is known. */
export type Identity =
  | { kind: 'service'; namespace: string; name: string; port?: number }
  | { kind: 'missing'; namespace: string; name: string }
  | { kind: 'external'; address: string }
  | { kind: 'unnamed' };

export interface Pointed {
  identity: Identity;
  /** What the evidence wrote: the address, DNS name or name as it appeared first. */
  reference: string;
  failures: Set<Failure>;
  lines: string[];
}

/** What the target's own namespace holds, to tell a ClusterIP from an outside address. */
export interface Neighbourhood {
  namespace: string;
  services: readonly Service[];
  /** The target's own Service and pod IPs: a probe of itself is not a dependency. */
  own: { service: string; ips: ReadonlySet<string> };
}

export const identityKey = (i: Identity): string =>
  i.kind === 'service' || i.kind === 'missing' ? `${i.namespace}/${i.name}` : i.kind === 'external' ? i.address : 'unnamed';

function referenceText(r: Reference): string {
  switch (r.kind) {
    case 'address':
      return `${r.ip}:${r.port}`;
    case 'dns':
      return `${r.service}.${r.namespace}.svc${r.port ? `:${r.port}` : ''}`;
    case 'name':
      return r.name;
    case 'unnamed':
      return 'an unnamed upstream';
  }
}

/**
 * What a reference means, given the target's namespace and what `exists` says about Services by name (a DNS name in
 * another namespace is looked up there). Undefined when it means nothing: the target itself, or a bare word that is
 * no Service's name.
 */
export function identify(
  r: Reference,
  n: Neighbourhood,
  exists: (namespace: string, name: string) => boolean | undefined
): Identity | undefined {
  switch (r.kind) {
    case 'address': {
      if (n.own.ips.has(r.ip)) return undefined;
      const svc = n.services.find((s) => s.spec?.clusterIP === r.ip);
      if (!svc) return { kind: 'external', address: `${r.ip}:${r.port}` };
      const name = svc.metadata?.name ?? '?';
      return name === n.own.service ? undefined : { kind: 'service', namespace: n.namespace, name, port: r.port };
    }
    case 'dns': {
      if (r.namespace === n.namespace && r.service === n.own.service) return undefined;
      const known = exists(r.namespace, r.service);
      if (known === false) return { kind: 'missing', namespace: r.namespace, name: r.service };
      return { kind: 'service', namespace: r.namespace, name: r.service, ...(r.port ? { port: r.port } : {}) };
    }
    case 'name':
      // A bare word counts only when a Service of that name exists: "cannot start without its session store" is no name.
      if (r.name === n.own.service || exists(n.namespace, r.name) !== true) return undefined;
      return { kind: 'service', namespace: n.namespace, name: r.name };
    case 'unnamed':
      return { kind: 'unnamed' };
  }
}

/** Joins the references that mean the same dependency (its DNS name and its ClusterIP), keeping their lines. */
export function group(
  refs: Iterable<{ reference: Reference; failures: Set<Failure>; lines: string[] }>,
  n: Neighbourhood,
  exists: (namespace: string, name: string) => boolean | undefined
): Pointed[] {
  const out = new Map<string, Pointed>();
  for (const { reference, failures, lines } of refs) {
    const identity = identify(reference, n, exists);
    if (!identity) continue;
    const key = identityKey(identity);
    const seen = out.get(key) ?? { identity, reference: referenceText(reference), failures: new Set<Failure>(), lines: [] };
    for (const f of failures) seen.failures.add(f);
    for (const l of lines) if (seen.lines.length < 3 && !seen.lines.includes(l)) seen.lines.push(l);
    out.set(key, seen);
  }
  // A named dependency explains the line that blamed "an upstream" too.
  const named = [...out.values()].filter((p) => p.identity.kind !== 'unnamed');
  return named.length > 0 ? named : [...out.values()];
}

/** The objects read about one Service dependency. */
export interface ServiceFacts {
  service: Service | undefined;
  endpoints: Endpoints | undefined;
  deployment: Deployment | undefined;
  hpas: readonly HorizontalPodAutoscaler[];
  events: readonly KubeEvent[];
  /** The Service's namespace could not be read (RBAC). */
  forbidden?: boolean;
}

const readyAddresses = (ep: Endpoints | undefined): number =>
  (ep?.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);

/** Commands to check (and fix) a Service dependency, with the real names. */
function serviceCommands(ns: string, name: string, f: ServiceFacts, down: boolean): string[] {
  const d = f.deployment;
  const out = [`kubectl get endpoints -n ${ns} ${name}`];
  if (!d) return [...out, `kubectl describe service -n ${ns} ${name}`];
  const dn = d.metadata?.name ?? name;
  if (down && d.spec?.replicas === 0) {
    const r = restoreReplicas({ deployment: d, hpas: f.hpas, events: f.events });
    out.push(`kubectl scale deployment/${dn} -n ${ns} --replicas=${r.replicas}`);
  } else {
    const sel = toSelector(d.spec?.selector?.matchLabels);
    out.push(`kubectl get pods -n ${ns}${sel ? ` -l ${sel}` : ''} -o wide`, `kubectl logs -n ${ns} deploy/${dn} --tail=50`);
  }
  if (down && d.metadata?.labels?.[OPT_IN_LABEL] !== OPT_IN_VALUE)
    out.push(`kubectl label deployment -n ${ns} ${dn} ${OPT_IN_LABEL}=${OPT_IN_VALUE} --overwrite`);
  return out;
}

/**
 * The finding for one dependency: its state, the Deployment behind it and its opt-in, the evidence and the commands.
 *
 * @example
 * describeDependency(pointed, { service, endpoints, deployment, hpas: [], events: [] }, 'demo');
 * // → { reference: '10.96.0.15:5432', state: 'down', service: { namespace: 'demo', name: 'postgres' }, readyEndpoints: 0, … }
 */
export function describeDependency(p: Pointed, facts: ServiceFacts | undefined, targetNs: string): DependencyFinding {
  const base = { reference: p.reference, evidence: p.lines };
  const i = p.identity;
  switch (i.kind) {
    case 'unnamed':
      return {
        ...base,
        state: 'unnamed',
        commands: [`kubectl get endpoints -n ${targetNs}`, `kubectl get pods -n ${targetNs} -o wide`]
      };
    case 'external': {
      const [ip, port] = i.address.split(':');
      return {
        ...base,
        state: 'external',
        commands: [
          `kubectl run -n ${targetNs} cortex-net-check --rm -i --restart=Never --image=busybox:1.36 -- nc -zv -w 3 ${ip} ${port}`
        ]
      };
    }
    case 'missing':
      return {
        ...base,
        state: 'missing',
        service: { namespace: i.namespace, name: i.name },
        commands: [`kubectl get services -n ${i.namespace}`]
      };
    case 'service': {
      const service = { namespace: i.namespace, name: i.name };
      if (!facts || facts.forbidden)
        return { ...base, state: 'unknown', service, commands: [`kubectl get endpoints -n ${i.namespace} ${i.name}`] };
      if (!facts.service)
        return { ...base, state: 'missing', service, commands: [`kubectl get services -n ${i.namespace}`] };
      const ready = readyAddresses(facts.endpoints);
      const down = facts.service.spec?.type !== 'ExternalName' && ready === 0;
      const d = facts.deployment;
      return {
        ...base,
        state: down ? 'down' : 'up',
        service,
        readyEndpoints: ready,
        ...(d?.metadata?.name
          ? { deployment: d.metadata.name, optedIn: d.metadata.labels?.[OPT_IN_LABEL] === OPT_IN_VALUE }
          : {}),
        commands: serviceCommands(i.namespace, i.name, facts, down)
      };
    }
  }
}
