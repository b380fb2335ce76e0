/*
 * The resource types the simulator serves, as discovery advertises them. Everything the router, the store and the
 * tables know about a type comes from here.
 */

export interface SubresourceDef {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: SubresourceDef[];
  /** Writes to the main resource keep the stored status (the status is changed only through /status). */
  hasStatus?: boolean;
  /** Served only for a fixed answer (SSAR) or computed on read (metrics): not kept in the store. */
  virtual?: boolean;
}

const ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const READ = ['get', 'list'];
const status = (kind: string): SubresourceDef => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });
const scale: SubresourceDef = {
  name: 'scale',
  kind: 'Scale',
  group: 'autoscaling',
  version: 'v1',
  verbs: ['get', 'patch', 'update']
};

/** A resource of the table below; singular is the lower-case kind, namespaced and all verbs unless told. */
const res = (group: string, version: string, plural: string, kind: string, o: Partial<ResourceDef> = {}): ResourceDef => ({
  group,
  version,
  plural,
  singular: kind.toLowerCase(),
  kind,
  namespaced: true,
  verbs: ALL,
  ...o
});
/** A create-only review (authorization and authentication): answered, never stored. */
const review = (group: string, plural: string, kind: string, namespaced = false): ResourceDef =>
  res(group, 'v1', plural, kind, { namespaced, verbs: ['create'], virtual: true });
const sub = (name: string, kind: string, verbs: string[], group?: string, version?: string): SubresourceDef => ({
  name,
  kind,
  verbs,
  ...(group !== undefined ? { group, version } : {})
});

export const RESOURCES: readonly ResourceDef[] = [
  res('', 'v1', 'namespaces', 'Namespace', {
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ns'],
    subresources: [status('Namespace')],
    hasStatus: true
  }),
  res('', 'v1', 'pods', 'Pod', {
    shortNames: ['po'],
    categories: ['all'],
    subresources: [sub('eviction', 'Eviction', ['create'], 'policy', 'v1'), sub('log', 'Pod', ['get']), status('Pod')],
    hasStatus: true
  }),
  res('', 'v1', 'services', 'Service', {
    shortNames: ['svc'],
    categories: ['all'],
    subresources: [status('Service')],
    hasStatus: true
  }),
  res('', 'v1', 'endpoints', 'Endpoints', { singular: 'endpoints', shortNames: ['ep'] }),
  res('', 'v1', 'events', 'Event', { shortNames: ['ev'] }),
  res('', 'v1', 'configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  res('', 'v1', 'serviceaccounts', 'ServiceAccount', {
    shortNames: ['sa'],
    subresources: [sub('token', 'TokenRequest', ['create'], 'authentication.k8s.io', 'v1')]
  }),
  res('', 'v1', 'nodes', 'Node', { namespaced: false, shortNames: ['no'], subresources: [status('Node')], hasStatus: true }),
  res('apps', 'v1', 'deployments', 'Deployment', {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [scale, status('Deployment')],
    hasStatus: true
  }),
  res('apps', 'v1', 'replicasets', 'ReplicaSet', {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: [scale, status('ReplicaSet')],
    hasStatus: true
  }),
  res('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  res('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', { shortNames: ['netpol'] }),
  // Stored only: no autoscaler runs. Cortex reads an HPA's minReplicas as the replica count to restore.
  res('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', {
    shortNames: ['hpa'],
    categories: ['all']
  }),
  res('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', {
    shortNames: ['pdb'],
    subresources: [status('PodDisruptionBudget')],
    hasStatus: true
  }),
  res('rbac.authorization.k8s.io', 'v1', 'roles', 'Role'),
  res('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding'),
  res('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', { namespaced: false }),
  res('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', { namespaced: false }),
  review('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  review('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
  review('authorization.k8s.io', 'subjectaccessreviews', 'SubjectAccessReview'),
  review('authorization.k8s.io', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
  review('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview'),
  res('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics', { singular: 'pod', verbs: READ, virtual: true }),
  res('metrics.k8s.io', 'v1beta1', 'nodes', 'NodeMetrics', {
    singular: 'node',
    namespaced: false,
    verbs: READ,
    virtual: true
  })
];

/** `pods`, `deployments.apps`: the group-qualified resource name used in messages and as the store key. */
export const qualifiedName = (def: ResourceDef): string => (def.group ? `${def.plural}.${def.group}` : def.plural);

/** `v1`, `apps/v1`. */
export const groupVersion = (def: { group: string; version: string }): string =>
  def.group ? `${def.group}/${def.version}` : def.version;

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** The stored resource for a kind (controllers address types by kind). */
export function resourceForKind(kind: string): ResourceDef {
  const def = RESOURCES.find((r) => r.kind === kind && !r.virtual);
  if (!def) throw new Error(`no resource for kind ${kind}`);
  return def;
}

/** The group-versions discovery advertises, in a stable order. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(groupVersion(r), { group: r.group, version: r.version });
  return [...seen.values()];
}
