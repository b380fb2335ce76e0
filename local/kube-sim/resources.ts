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

export const RESOURCES: readonly ResourceDef[] = [
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ns'],
    subresources: [status('Namespace')],
    hasStatus: true
  },
  {
    group: '',
    version: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    verbs: ALL,
    shortNames: ['po'],
    categories: ['all'],
    subresources: [{ name: 'log', kind: 'Pod', verbs: ['get'] }, status('Pod')],
    hasStatus: true
  },
  {
    group: '',
    version: 'v1',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['svc'],
    categories: ['all'],
    subresources: [status('Service')],
    hasStatus: true
  },
  {
    group: '',
    version: 'v1',
    plural: 'endpoints',
    singular: 'endpoints',
    kind: 'Endpoints',
    namespaced: true,
    verbs: ALL,
    shortNames: ['ep']
  },
  {
    group: '',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    verbs: ALL,
    shortNames: ['ev']
  },
  {
    group: '',
    version: 'v1',
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    verbs: ALL,
    shortNames: ['cm']
  },
  {
    group: '',
    version: 'v1',
    plural: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    verbs: ALL,
    shortNames: ['no'],
    subresources: [status('Node')],
    hasStatus: true
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    verbs: ALL,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [scale, status('Deployment')],
    hasStatus: true
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    verbs: ALL,
    shortNames: ['rs'],
    categories: ['all'],
    subresources: [scale, status('ReplicaSet')],
    hasStatus: true
  },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    plural: 'endpointslices',
    singular: 'endpointslice',
    kind: 'EndpointSlice',
    namespaced: true,
    verbs: ALL
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'networkpolicies',
    singular: 'networkpolicy',
    kind: 'NetworkPolicy',
    namespaced: true,
    verbs: ALL,
    shortNames: ['netpol']
  },
  {
    // Stored only: no autoscaler runs. Cortex reads an HPA's minReplicas as the replica count to restore.
    group: 'autoscaling',
    version: 'v2',
    plural: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
    verbs: ALL,
    shortNames: ['hpa'],
    categories: ['all']
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    plural: 'selfsubjectaccessreviews',
    singular: 'selfsubjectaccessreview',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    verbs: ['create'],
    virtual: true
  },
  {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    plural: 'pods',
    singular: 'pod',
    kind: 'PodMetrics',
    namespaced: true,
    verbs: READ,
    virtual: true
  },
  {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    plural: 'nodes',
    singular: 'node',
    kind: 'NodeMetrics',
    namespaced: false,
    verbs: READ,
    virtual: true
  }
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
