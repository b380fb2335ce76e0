import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { applyObjects, requestToken } from '../kube-sim/apply.js';
import { type KubeObject, type Simulator } from '../kube-sim/index.js';

/*
 * Each function acts on the simulated cluster as its own ServiceAccount, with exactly the RBAC knative/ renders: the
 * local stack applies knative/'s namespace, ServiceAccounts, ClusterRoles and the RoleBindings of knative/targets/*
 * (as `kubectl apply -k knative/ && kubectl apply -k knative/targets/demo` would), asks the TokenRequest API for each
 * ServiceAccount's token and writes one kubeconfig per function. A ServiceAccount that does not mount a token
 * (`automountServiceAccountToken: false`: the functions with no Kubernetes needs) gets a kubeconfig without
 * credentials: to the API it is anonymous. kubectl, the page's fault buttons and the demo keep the admin.
 */

const KINDS = new Set(['Namespace', 'ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
const ORDER = ['Namespace', 'ServiceAccount', 'ClusterRole', 'Role', 'ClusterRoleBinding', 'RoleBinding'];
/** Local tokens outlive any session of the stack (a kubelet would refresh them; nothing here does). */
const TOKEN_SECONDS = 365 * 24 * 3600;

/** The RBAC objects (and their namespaces and ServiceAccounts) of every manifest under `dir`, applied in order. */
export async function readRbacManifests(dir: string): Promise<KubeObject[]> {
  const files = (await readdir(dir, { recursive: true }))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
  const objects: KubeObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      const o = doc.toJS() as KubeObject | null;
      if (o && typeof o === 'object' && KINDS.has(o.kind)) objects.push(o);
    }
  }
  return objects.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
}

export interface Identities {
  /** The kubeconfig a function runs with: its ServiceAccount's token, or none. */
  kubeconfigFor(fn: string): string;
}

/**
 * Loads knative/'s RBAC into the simulator and writes `<stateDir>/kubeconfigs/<function>.yaml`.
 *
 * @example
 * const identities = await loadIdentities({ sim, knativeDir: 'knative', stateDir: '.cortex', namespace: 'cortex', functions: ['check-pod-status'] });
 * identities.kubeconfigFor('check-pod-status'); // '/…/.cortex/kubeconfigs/check-pod-status.yaml'
 */
export async function loadIdentities(o: {
  sim: Simulator;
  knativeDir: string;
  stateDir: string;
  /** The namespace the functions' ServiceAccounts live in (knative/'s). */
  namespace: string;
  /** The kubeconfigs' default namespace. */
  targetNamespace?: string;
  functions: readonly string[];
}): Promise<Identities> {
  const objects = await readRbacManifests(o.knativeDir);
  await applyObjects(o.sim.url, o.sim.adminToken, objects);
  const accounts = new Map(
    objects
      .filter((x) => x.kind === 'ServiceAccount' && x.metadata.namespace === o.namespace)
      .map((x) => [x.metadata.name, x['automountServiceAccountToken'] !== false] as const)
  );
  const files = new Map<string, string>();
  for (const fn of o.functions) {
    const token = accounts.get(fn) ? await requestToken(o.sim.url, o.sim.adminToken, o.namespace, fn, TOKEN_SECONDS) : null;
    const file = path.join(o.stateDir, 'kubeconfigs', `${fn}.yaml`);
    // Plain HTTP: the functions' client-node sends the token over it, and it opens a connection per request, so TLS
    // would add a handshake to every Kubernetes call of the in-process stack (scale-to-zero heal p50 263 → ~360 ms).
    files.set(fn, await o.sim.writeKubeconfig(file, o.targetNamespace ?? 'demo', token, { plainHttp: true }));
  }
  return {
    kubeconfigFor(fn) {
      const file = files.get(fn);
      if (!file) throw new Error(`no identity for function ${fn}`);
      return file;
    }
  };
}
