import fastJsonPatch, { type Operation } from 'fast-json-patch';
const { applyPatch } = fastJsonPatch;
import type {
  Deployment,
  EndpointSlice,
  HorizontalPodAutoscaler,
  Endpoints,
  KubeEvent,
  KubePort,
  ListOptions,
  LogOptions,
  Namespace,
  NetworkPolicy,
  Pod,
  ReplicaSet,
  Scale,
  Service,
  WriteOptions
} from '../../shared/kube/port.js';

/** The objects a fake cluster holds; tests fill in what they need. */
export interface FakeCluster {
  namespaces: Namespace[];
  deployments: Deployment[];
  replicaSets: ReplicaSet[];
  services: Service[];
  endpoints: Endpoints[];
  endpointSlices: EndpointSlice[];
  pods: Pod[];
  events: KubeEvent[];
  networkPolicies: NetworkPolicy[];
  horizontalPodAutoscalers: HorizontalPodAutoscaler[];
  /** `<namespace>/<pod>/<container>` (+ `#previous`) → log text. */
  logs: Record<string, string>;
  /**
   * Pod name → the refusals its next evictions get, one per attempt (a PodDisruptionBudget's cause); once used up,
   * evictions succeed.
   */
  evictionRefusals: Record<string, string[]>;
}

export interface FakeKube extends KubePort {
  cluster: FakeCluster;
  /** Every write, in order: what a remediation did. */
  writes: Array<{ verb: string; namespace: string; name: string; body?: unknown; dryRun: boolean }>;
  /** Makes the next calls of a method throw (e.g. a TransientError, a ForbiddenError). */
  failNext(method: keyof KubePort, error: Error, times?: number): void;
}

type Meta = { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } };

function matchLabels(selector: string | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return labels?.[k!.trim()] === v?.trim();
  });
}

function field(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function matchFields(selector: string | undefined, obj: unknown): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const neg = term.includes('!=');
    const [k, v] = term.split(neg ? '!=' : '=');
    return (String(field(obj, k!.trim())) === v!.trim()) !== neg;
  });
}

function list<T extends Meta>(items: T[], namespace: string, opts: ListOptions = {}): T[] {
  return structuredClone(
    items.filter(
      (o) =>
        o.metadata?.namespace === namespace &&
        matchLabels(opts.labelSelector, o.metadata?.labels) &&
        matchFields(opts.fieldSelector, o)
    )
  );
}

const find = <T extends Meta>(items: T[], namespace: string, name: string): T | undefined =>
  structuredClone(items.find((o) => o.metadata?.namespace === namespace && o.metadata?.name === name));

/**
 * An in-memory KubePort for unit tests: label selectors of the form `k=v,…`, field selectors `path=value` and
 * `path!=value`, writes recorded (and applied unless dry-run).
 */
export function createFakeKube(cluster: Partial<FakeCluster> = {}): FakeKube {
  const c: FakeCluster = {
    namespaces: [],
    deployments: [],
    replicaSets: [],
    services: [],
    endpoints: [],
    endpointSlices: [],
    pods: [],
    events: [],
    networkPolicies: [],
    horizontalPodAutoscalers: [],
    logs: {},
    evictionRefusals: {},
    ...cluster
  };
  const writes: FakeKube['writes'] = [];
  const failures = new Map<string, { error: Error; times: number }>();
  const guard = (method: string): void => {
    const f = failures.get(method);
    if (!f) return;
    if (--f.times <= 0) failures.delete(method);
    throw f.error;
  };
  const port: KubePort = {
    async readNamespace(name) {
      return structuredClone(c.namespaces.find((n) => n.metadata?.name === name));
    },
    async readDeployment(ns, name) {
      return find(c.deployments, ns, name);
    },
    async listDeployments(ns, opts) {
      return list(c.deployments, ns, opts);
    },
    async listReplicaSets(ns, opts) {
      return list(c.replicaSets, ns, opts);
    },
    async readService(ns, name) {
      return find(c.services, ns, name);
    },
    async listServices(ns, opts) {
      return list(c.services, ns, opts);
    },
    async readEndpoints(ns, name) {
      return find(c.endpoints, ns, name);
    },
    async listEndpointSlices(ns, opts) {
      return list(c.endpointSlices, ns, opts);
    },
    async listPods(ns, opts) {
      return list(c.pods, ns, opts);
    },
    async readPodLog(ns, pod, opts: LogOptions = {}) {
      const key = `${ns}/${pod}/${opts.container ?? ''}${opts.previous ? '#previous' : ''}`;
      const text =
        c.logs[key] ??
        Object.entries(c.logs).find(
          ([k]) =>
            k.startsWith(`${ns}/${pod}/`) &&
            k.endsWith(opts.previous ? '#previous' : '') &&
            (opts.previous || !k.endsWith('#previous'))
        )?.[1];
      if (text === undefined) return undefined;
      const lines = text.split('\n');
      const tail = opts.tailLines ? lines.slice(-opts.tailLines).join('\n') : text;
      return opts.limitBytes ? tail.slice(0, opts.limitBytes) : tail;
    },
    async listEvents(ns, opts) {
      return list(c.events as Meta[], ns, opts) as KubeEvent[];
    },
    async listNetworkPolicies(ns, opts) {
      return list(c.networkPolicies, ns, opts);
    },
    async listHorizontalPodAutoscalers(ns, opts) {
      return list(c.horizontalPodAutoscalers, ns, opts);
    },
    async deletePod(ns, name, opts: WriteOptions = {}) {
      writes.push({ verb: 'delete', namespace: ns, name: `pods/${name}`, dryRun: !!opts.dryRun });
      const i = c.pods.findIndex((p) => p.metadata?.namespace === ns && p.metadata?.name === name);
      if (i < 0) return false;
      if (!opts.dryRun) c.pods.splice(i, 1);
      return true;
    },
    async evictPod(ns, name, opts: WriteOptions = {}) {
      const refusal = c.evictionRefusals[name]?.shift();
      writes.push({
        verb: 'evict',
        namespace: ns,
        name: `pods/${name}`,
        ...(refusal ? { body: { blocked: refusal } } : {}),
        dryRun: !!opts.dryRun
      });
      if (refusal) return { outcome: 'blocked', reason: refusal };
      const i = c.pods.findIndex((p) => p.metadata?.namespace === ns && p.metadata?.name === name);
      if (i < 0) return { outcome: 'gone' };
      if (!opts.dryRun) c.pods.splice(i, 1);
      return { outcome: 'evicted' };
    },
    async scaleDeployment(ns, name, replicas, opts: WriteOptions = {}) {
      writes.push({
        verb: 'patch',
        namespace: ns,
        name: `deployments/${name}/scale`,
        body: { spec: { replicas } },
        dryRun: !!opts.dryRun
      });
      const d = c.deployments.find((x) => x.metadata?.namespace === ns && x.metadata?.name === name);
      if (!d) throw Object.assign(new Error(`deployments.apps "${name}" not found`), { code: 'not_found' });
      if (!opts.dryRun) {
        d.spec = { ...d.spec!, replicas };
        // The controller's bookkeeping of a scale, at once (no new template: nothing to roll out). Readiness stays
        // with the pods the test world makes.
        d.status = { ...d.status, replicas, updatedReplicas: replicas, observedGeneration: d.metadata?.generation };
      }
      return { metadata: { name, namespace: ns }, spec: { replicas } } as Scale;
    },
    async patchDeployment(ns, name, patch, opts = {}) {
      writes.push({
        verb: `patch:${opts.strategy ?? 'merge'}`,
        namespace: ns,
        name: `deployments/${name}`,
        body: patch,
        dryRun: !!opts.dryRun
      });
      const d = c.deployments.find((x) => x.metadata?.namespace === ns && x.metadata?.name === name);
      if (!d) throw Object.assign(new Error(`deployments.apps "${name}" not found`), { code: 'not_found' });
      const merged = (
        Array.isArray(patch)
          ? applyPatch(structuredClone(d), structuredClone(patch) as Operation[]).newDocument
          : mergeDeep(structuredClone(d), patch as Record<string, unknown>)
      ) as Deployment;
      if (!opts.dryRun) Object.assign(d, merged);
      return merged;
    }
  };
  const wrapped = Object.fromEntries(
    Object.entries(port).map(([k, fn]) => [
      k,
      async (...args: unknown[]) => (guard(k), (fn as (...a: unknown[]) => unknown)(...args))
    ])
  ) as unknown as KubePort;
  return {
    ...wrapped,
    cluster: c,
    writes,
    failNext: (method, error, times = 1) => void failures.set(method, { error, times })
  };
}

function mergeDeep(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch)) out[k] = v === null ? undefined : mergeDeep(out[k], v);
  return out;
}
