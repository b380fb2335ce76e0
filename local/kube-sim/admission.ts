import { RBAC_KINDS, validPathSegmentName, validateBudget, validateRbac } from './admission-policy.js';
import { type FieldCause, invalid } from './api-errors.js';
import { type Budget, emptyBudgetStatus } from './disruption.js';
import { type ResourceDef, resourceForKind } from './resources.js';
import { matchesLabels, requirementsFromSelector } from './selectors.js';
import { type ObjectStore } from './store.js';
import {
  type Container,
  type Deployment,
  type KubeObject,
  type Pod,
  type PodSpec,
  type Service,
  isRecord
} from './types.js';

/*
 * What the API server does to an object before it is stored: defaulting (the fields real clusters fill in, so objects
 * read back look like a cluster's) and validation of the fields the simulator relies on (422 Invalid otherwise).
 */

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function defaultContainer(c: Container): void {
  const tag = c.image?.includes('@') ? 'digest' : (c.image?.split('/').pop()?.split(':')[1] ?? 'latest');
  c['imagePullPolicy'] ??= tag === 'latest' ? 'Always' : 'IfNotPresent';
  c['terminationMessagePath'] ??= '/dev/termination-log';
  c['terminationMessagePolicy'] ??= 'File';
  c.resources ??= {};
  for (const key of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    const probe = c[key];
    if (!isRecord(probe)) continue;
    probe['timeoutSeconds'] ??= 1;
    probe['periodSeconds'] ??= 10;
    probe['successThreshold'] ??= 1;
    probe['failureThreshold'] ??= 3;
    if (isRecord(probe['httpGet'])) probe['httpGet']['scheme'] ??= 'HTTP';
  }
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
}

/** Pod spec defaults, shared by pods and the templates of workloads. */
export function defaultPodSpec(spec: PodSpec): void {
  spec['restartPolicy'] ??= 'Always';
  spec['terminationGracePeriodSeconds'] ??= 30;
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['schedulerName'] ??= 'default-scheduler';
  spec['securityContext'] ??= {};
  spec['serviceAccountName'] ??= 'default';
  spec['enableServiceLinks'] ??= true;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) defaultContainer(c);
}

function qosClass(spec: PodSpec): string {
  const cs = spec.containers ?? [];
  const any = cs.some(
    (c) => Object.keys(c.resources?.requests ?? {}).length + Object.keys(c.resources?.limits ?? {}).length > 0
  );
  if (!any) return 'BestEffort';
  const guaranteed = cs.every((c) => {
    const l = c.resources?.limits ?? {};
    const r = c.resources?.requests ?? l;
    return l['cpu'] !== undefined && l['memory'] !== undefined && r['cpu'] === l['cpu'] && r['memory'] === l['memory'];
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function allocateClusterIP(store: ObjectStore): string {
  const used = new Set(store.list(resourceForKind('Service')).map((s) => String((s.spec ?? {})['clusterIP'] ?? '')));
  for (let i = 11; i < 65_000; i++) {
    const ip = `10.96.${Math.floor(i / 254)}.${(i % 254) + 1}`;
    if (!used.has(ip)) return ip;
  }
  throw new Error('service IP range exhausted');
}

/** Fills in defaults on create (and the parts of them that updates may have dropped). Mutates `obj`. */
export function applyDefaults(def: ResourceDef, obj: KubeObject, store: ObjectStore, isCreate: boolean): void {
  switch (def.kind) {
    case 'Pod': {
      const pod = obj as Pod;
      defaultPodSpec(pod.spec);
      if (isCreate) pod.status = { phase: 'Pending', qosClass: qosClass(pod.spec), ...(pod.status ?? {}) };
      break;
    }
    case 'Deployment': {
      const d = obj as Deployment;
      d.spec.replicas ??= 1;
      d.spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
      d.spec.revisionHistoryLimit ??= 10;
      d.spec['progressDeadlineSeconds'] ??= 600;
      if (d.spec.template?.spec) defaultPodSpec(d.spec.template.spec);
      break;
    }
    case 'ReplicaSet': {
      const spec = obj.spec as { replicas?: number; template?: { spec?: PodSpec } };
      spec.replicas ??= 1;
      if (spec.template?.spec) defaultPodSpec(spec.template.spec);
      break;
    }
    case 'Service': {
      const s = obj as Service;
      s.spec.type ??= 'ClusterIP';
      s.spec['sessionAffinity'] ??= 'None';
      if (s.spec.type !== 'ExternalName' && !s.spec.clusterIP) s.spec.clusterIP = allocateClusterIP(store);
      if (s.spec.clusterIP) s.spec['clusterIPs'] ??= [s.spec.clusterIP];
      s.spec['ipFamilies'] ??= ['IPv4'];
      s.spec['ipFamilyPolicy'] ??= 'SingleStack';
      for (const p of s.spec.ports ?? []) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
      s.status ??= { loadBalancer: {} };
      break;
    }
    case 'PodDisruptionBudget': {
      obj.spec ??= {};
      if (isCreate) obj.status = { ...emptyBudgetStatus() };
      break;
    }
    case 'Namespace': {
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
      obj.spec ??= { finalizers: ['kubernetes'] };
      obj.status ??= { phase: 'Active' };
      break;
    }
  }
}

type Cause = FieldCause;

function validateContainers(containers: unknown, prefix: string, causes: Cause[]): void {
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push({ field: `${prefix}.containers`, detail: '', reason: 'FieldValueRequired' });
    return;
  }
  containers.forEach((c: unknown, i) => {
    if (!isRecord(c) || typeof c['name'] !== 'string' || !c['name'])
      causes.push({ field: `${prefix}.containers[${i}].name`, detail: '', reason: 'FieldValueRequired' });
    if (!isRecord(c) || typeof c['image'] !== 'string' || !c['image'])
      causes.push({ field: `${prefix}.containers[${i}].image`, detail: '', reason: 'FieldValueRequired' });
  });
}

/** 422 Invalid for objects the simulator could not run with. */
export function validate(def: ResourceDef, obj: KubeObject): void {
  const causes: Cause[] = [];
  // A generated name is the prefix plus five characters: validate it as such.
  const generate = typeof obj.metadata?.generateName === 'string' ? obj.metadata.generateName : '';
  const name = obj.metadata?.name || (generate ? `${generate}x` : '');
  if (!name)
    causes.push({ field: 'metadata.name', detail: 'name or generateName is required', reason: 'FieldValueRequired' });
  else if (RBAC_KINDS.has(def.kind)) {
    if (!validPathSegmentName(name))
      causes.push({ field: 'metadata.name', value: name, detail: 'may not contain "/", "%", or be "." or ".."' });
  } else if (!DNS_SUBDOMAIN.test(name) || name.length > 253) {
    causes.push({
      field: 'metadata.name',
      value: name,
      detail:
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
    });
  }
  if (def.kind === 'Deployment' || def.kind === 'ReplicaSet') {
    const spec = (obj.spec ?? {}) as Partial<Deployment['spec']>;
    if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0)) {
      causes.push({ field: 'spec.replicas', value: spec.replicas, detail: 'must be greater than or equal to 0' });
    }
    const selector = requirementsFromSelector(spec.selector);
    if (!spec.selector || selector.length === 0)
      causes.push({ field: 'spec.selector', detail: '', reason: 'FieldValueRequired' });
    else if (!matchesLabels(selector, spec.template?.metadata?.labels)) {
      causes.push({
        field: 'spec.template.metadata.labels',
        value: spec.template?.metadata?.labels ?? {},
        detail: '`selector` does not match template `labels`'
      });
    }
    validateContainers(spec.template?.spec?.containers, 'spec.template.spec', causes);
  }
  if (def.kind === 'Pod') validateContainers((obj.spec ?? {})['containers'], 'spec', causes);
  if (def.kind === 'PodDisruptionBudget') validateBudget(obj as Budget, causes);
  if (RBAC_KINDS.has(def.kind)) validateRbac(obj, causes);
  if (def.kind === 'Service') {
    for (const [i, p] of (((obj.spec ?? {})['ports'] as { port?: unknown }[] | undefined) ?? []).entries()) {
      if (typeof p.port !== 'number' || p.port < 1 || p.port > 65535)
        causes.push({ field: `spec.ports[${i}].port`, value: p.port, detail: 'must be between 1 and 65535, inclusive' });
    }
  }
  if (causes.length > 0) throw invalid(def.kind, def.group, obj.metadata?.name || generate, causes);
}
