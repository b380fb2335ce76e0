import { type KubeObject, type Service, isRecord } from '../types.js';

/*
 * `sim.cortex.dev/depends-on=<service>[:<port>][,…]` on a Deployment: its app connects to those Services at start
 * and exits 1 when one of them cannot be reached, as an app that needs its database does. What the app sees follows
 * what kube-proxy and cluster DNS would give it:
 *   - no such Service (or a headless one without ready endpoints): the name does not resolve, ENOTFOUND;
 *   - a ClusterIP whose Service has no ready endpoints: the connection is rejected, ECONNREFUSED <clusterIP>:<port>;
 *   - a port the Service does not expose: nothing answers, ETIMEDOUT.
 * A Service in another namespace is written `<namespace>/<service>`.
 */

export const DEPENDS_ON_ANNOTATION = 'sim.cortex.dev/depends-on';

export interface DependencyRef {
  namespace: string;
  service: string;
  /** The Service port the app connects to (default: the Service's first port). */
  port?: number;
}

export type ConnectError = 'ECONNREFUSED' | 'ENOTFOUND' | 'ETIMEDOUT';

export interface DependencyState {
  ref: DependencyRef;
  /** The name the app connects to: `<service>.<namespace>.svc.cluster.local`. */
  host: string;
  port?: number;
  /** The Service's ClusterIP, when it has one. */
  ip?: string;
  /** Why the app cannot connect; absent while the Service has ready endpoints. */
  error?: ConnectError;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The Services an annotation value names; entries that name none are returned as `invalid`.
 *
 * @example
 * parseDependsOn('postgres:5432, cache/redis', 'demo');
 * // → { refs: [{ namespace: 'demo', service: 'postgres', port: 5432 }, { namespace: 'cache', service: 'redis' }], invalid: [] }
 */
export function parseDependsOn(value: string | undefined, namespace: string): { refs: DependencyRef[]; invalid: string[] } {
  const refs: DependencyRef[] = [];
  const invalid: string[] = [];
  for (const entry of (value ?? '').split(',').map((e) => e.trim())) {
    if (!entry) continue;
    const m = /^(?:([^/:]+)\/)?([^/:]+)(?::(\d{1,5}))?$/.exec(entry);
    const port = m?.[3] === undefined ? undefined : Number(m[3]);
    if (
      !m ||
      !DNS_LABEL.test(m[2]!) ||
      (m[1] && !DNS_LABEL.test(m[1])) ||
      (port !== undefined && (port < 1 || port > 65535))
    ) {
      invalid.push(entry);
      continue;
    }
    const ref: DependencyRef = { namespace: m[1] ?? namespace, service: m[2]!, ...(port ? { port } : {}) };
    if (!refs.some((r) => r.namespace === ref.namespace && r.service === ref.service && r.port === ref.port)) refs.push(ref);
  }
  return { refs, invalid };
}

const hasReadyAddress = (endpoints: KubeObject | undefined): boolean =>
  Array.isArray(endpoints?.['subsets']) &&
  (endpoints['subsets'] as unknown[]).some(
    (s) => isRecord(s) && Array.isArray(s['addresses']) && (s['addresses'] as unknown[]).length > 0
  );

/** What the app sees when it connects to `ref`, given the cluster's Services and Endpoints. */
export function resolveDependency(ref: DependencyRef, services: Service[], endpoints: KubeObject[]): DependencyState {
  const host = `${ref.service}.${ref.namespace}.svc.cluster.local`;
  const svc = services.find((s) => s.metadata.namespace === ref.namespace && s.metadata.name === ref.service);
  if (!svc) return { ref, host, ...(ref.port ? { port: ref.port } : {}), error: 'ENOTFOUND' };
  const ports = svc.spec.ports ?? [];
  const port = ref.port ?? ports[0]?.port;
  const clusterIP = svc.spec.clusterIP;
  const ip = clusterIP && clusterIP !== 'None' ? clusterIP : undefined;
  const base = { ref, host, ...(port ? { port } : {}), ...(ip ? { ip } : {}) };
  if (svc.spec.type === 'ExternalName') return base;
  const ready = hasReadyAddress(
    endpoints.find((e) => e.metadata.namespace === ref.namespace && e.metadata.name === ref.service)
  );
  if (!ip) return ready ? base : { ...base, error: 'ENOTFOUND' };
  if (ref.port && ports.length > 0 && !ports.some((p) => p.port === ref.port)) return { ...base, error: 'ETIMEDOUT' };
  return ready ? base : { ...base, error: 'ECONNREFUSED' };
}

/** What the dependency is to the app, for its log ("cannot start without its database"). */
export function dependencyRole(d: DependencyState): string {
  const name = d.ref.service;
  if ([5432, 3306, 27017, 1433, 26257].includes(d.port ?? 0) || /postgres|mysql|maria|mongo|(^|-)db($|-)/.test(name))
    return 'database';
  if ([6379, 11211].includes(d.port ?? 0) || /redis|memcache|cache/.test(name)) return 'cache';
  return 'upstream';
}
