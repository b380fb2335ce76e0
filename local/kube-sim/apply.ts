import { type KubeObject } from './types.js';

/*
 * `kubectl apply --server-side` for the handful of kinds Cortex's manifests put into a cluster before its functions
 * run (namespaces, ServiceAccounts, RBAC), over the API with a bearer token: what the local stack and the tests use
 * to load knative/'s RBAC into the simulator. One PATCH per object; it creates what is missing.
 */

const PATHS: Record<string, { prefix: string; plural: string; namespaced: boolean }> = {
  Namespace: { prefix: '/api/v1', plural: 'namespaces', namespaced: false },
  ServiceAccount: { prefix: '/api/v1', plural: 'serviceaccounts', namespaced: true },
  Role: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'roles', namespaced: true },
  RoleBinding: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'rolebindings', namespaced: true },
  ClusterRole: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', namespaced: false },
  PodDisruptionBudget: { prefix: '/apis/policy/v1', plural: 'poddisruptionbudgets', namespaced: true }
};

/** The kinds {@link applyObjects} knows how to address. */
export const APPLIABLE_KINDS: readonly string[] = Object.keys(PATHS);

/** The URL path of an object of one of the appliable kinds. */
export function objectPath(o: Pick<KubeObject, 'kind' | 'metadata'>): string {
  const p = PATHS[o.kind];
  if (!p) throw new Error(`cannot apply a ${o.kind}: only ${APPLIABLE_KINDS.join(', ')}`);
  const ns = p.namespaced ? `/namespaces/${encodeURIComponent(o.metadata.namespace ?? 'default')}` : '';
  return `${p.prefix}${ns}/${p.plural}/${encodeURIComponent(o.metadata.name)}`;
}

/**
 * Applies the objects in order (put namespaces first), as `fieldManager`; throws with the API's answer on a refusal.
 *
 * @example
 * await applyObjects(sim.url, sim.adminToken, [namespace, serviceAccount, clusterRole, roleBinding]);
 */
export async function applyObjects(
  server: string,
  token: string,
  objects: readonly KubeObject[],
  fieldManager = 'cortex-local'
): Promise<void> {
  for (const o of objects) {
    const url = `${server}${objectPath(o)}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`;
    const res = await fetch(url, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/apply-patch+yaml' },
      body: JSON.stringify(o)
    });
    if (!res.ok) throw new Error(`applying ${o.kind} ${o.metadata.name} answered ${res.status}: ${await res.text()}`);
  }
}

/**
 * A token for a ServiceAccount through the TokenRequest API (`kubectl create token`).
 *
 * @example
 * const token = await requestToken(sim.url, sim.adminToken, 'cortex', 'check-pod-status');
 */
export async function requestToken(
  server: string,
  token: string,
  namespace: string,
  serviceAccount: string,
  expirationSeconds = 3600
): Promise<string> {
  const url = `${server}/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds } })
  });
  if (res.status !== 201)
    throw new Error(`token for ${namespace}/${serviceAccount} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { status: { token: string } }).status.token;
}
