/*
 * The KubePort adapter over @kubernetes/client-node 1.4.0, and the only module that loads that library at run time.
 * Traps it handles (reference libraries.md §1): PATCH defaults to json-patch, so the strategy is always passed
 * explicitly; errors are ApiException with a numeric `.code` and the Status as a JSON string in `.body`; http://
 * servers need skipTLSVerify. Every failure leaves here as a CortexError with retry meaning, never a raw exception.
 */
import {
  AbortError,
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  DiscoveryV1Api,
  FetchError,
  KubeConfig,
  NetworkingV1Api,
  Observable,
  PatchStrategy as ClientPatchStrategy,
  type ConfigurationOptions,
  type RequestContext,
  type ObservableMiddleware,
  type ResponseContext,
  setHeaderMiddleware
} from '@kubernetes/client-node';
import {
  ConflictError,
  CortexError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  TransientError
} from '../runtime/errors.js';
import { reuseConnections } from './agents.js';
import { changeWatcher } from './client-node-watch.js';
import { type EvictionResult, type KubePort, type ListOptions, type PatchStrategy, type WriteOptions } from './port.js';

export interface KubeConfigOptions {
  /** A kubeconfig file; without it (and without inCluster) the client's default loading applies ($KUBECONFIG, ~/.kube/config). */
  kubeconfigPath?: string;
  /** Use the pod's service account (KUBERNETES_SERVICE_HOST/PORT and the mounted token). */
  inCluster?: boolean;
}

export interface KubePortOptions extends KubeConfigOptions {
  /** Per-request deadline; a request that takes longer fails with TransientError. */
  timeoutMs: number;
}

/**
 * Loads a client-node KubeConfig: in-cluster, from a file, or the library's default chain.
 *
 * @example
 * const kc = loadKubeConfig({ kubeconfigPath: '.cortex/sim-kubeconfig.yaml' });
 * const core = kc.makeApiClient(CoreV1Api);
 */
export function loadKubeConfig(opts: KubeConfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  if (opts.inCluster) kc.loadFromCluster();
  else if (opts.kubeconfigPath) kc.loadFromFile(opts.kubeconfigPath);
  else kc.loadFromDefault();
  return reuseConnections(kc);
}

type Op = 'read' | 'list' | 'write';

interface StatusBody {
  message?: unknown;
  details?: { causes?: Array<{ reason?: unknown; message?: unknown }>; retryAfterSeconds?: unknown };
}

/** The Status of an ApiException body (a JSON string), if it is one. */
function statusOf(err: ApiException<unknown>): StatusBody | undefined {
  const body = err.body;
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as StatusBody) : undefined;
  } catch {
    return undefined;
  }
}

/** The Status message of an ApiException body, if there is one. */
function statusMessage(err: ApiException<unknown>): string | undefined {
  const message = statusOf(err)?.message;
  return typeof message === 'string' ? message : undefined;
}

/**
 * The refusal of an eviction by a PodDisruptionBudget: a 429 with a DisruptionBudget cause, or the 500 the API server
 * answers for a pod under several budgets. Other 429s (API priority and fairness) stay transient.
 */
export function evictionRefusal(err: unknown): EvictionResult | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const status = statusOf(err);
  const causes = (status?.details?.causes ?? []).filter((c) => c.reason === 'DisruptionBudget');
  if (err.code === 429 && causes.length > 0) {
    const retry = status?.details?.retryAfterSeconds;
    return {
      outcome: 'blocked',
      reason: causes.map((c) => String(c.message)).join('; '),
      ...(typeof retry === 'number' && retry > 0 ? { retryAfterSeconds: retry } : {})
    };
  }
  const message = statusMessage(err) ?? '';
  if (err.code === 500 && /more than one PodDisruptionBudget/.test(message)) return { outcome: 'blocked', reason: message };
  return undefined;
}

/**
 * Translates a client failure into a CortexError with retry meaning (or `undefined` for a 404 on a read).
 * Exported for tests of the mapping table.
 *
 * @example
 * mapKubeError(new ApiException(503, 'HTTP-Code: 503', '{}', {}), 'reading pod demo/p', 'read'); // TransientError
 */
export function mapKubeError(err: unknown, what: string, op: Op): CortexError | undefined {
  if (err instanceof CortexError) return err;
  if (err instanceof ApiException) {
    const code = err.code;
    const detail = statusMessage(err) ?? err.message.split('\n')[0];
    const message = `${what} failed: ${code} ${detail}`;
    const data = { status: code };
    if (code === 404) return op === 'write' ? new NotFoundError(message, { cause: err, data }) : undefined;
    if (code === 409) return new ConflictError(message, { cause: err, data });
    if (code === 403 || code === 401) return new ForbiddenError(message, { cause: err, data });
    if (code === 429 || code >= 500) return new TransientError(message, { cause: err, data });
    if (code === 400 || code === 422 || code === 415 || code === 405)
      return new InvalidRequestError(message, { cause: err, data });
    return new CortexError('kube_error', message, { cause: err, data });
  }
  if (err instanceof AbortError || (err instanceof Error && err.name === 'AbortError')) {
    return new TransientError(`${what} timed out`, { cause: err });
  }
  if (
    err instanceof FetchError ||
    (err instanceof Error && /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|socket hang up/.test(err.message))
  ) {
    return new TransientError(`${what} failed: cannot reach the Kubernetes API (${err.message})`, { cause: err });
  }
  return new CortexError('kube_error', `${what} failed: ${err instanceof Error ? err.message : String(err)}`, {
    cause: err
  });
}

/** A middleware that gives every request its own deadline (the object-parameter APIs take observable middleware). */
function timeoutMiddleware(timeoutMs: number): ObservableMiddleware {
  return {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(ctx));
    },
    post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx))
  };
}

const PATCH_CONTENT_TYPE: Record<PatchStrategy, string> = {
  merge: ClientPatchStrategy.MergePatch,
  strategic: ClientPatchStrategy.StrategicMergePatch,
  json: ClientPatchStrategy.JsonPatch
};

/**
 * Builds the KubePort for a cluster (or the simulator).
 *
 * @example
 * const kube = createKubePort({ kubeconfigPath: '.cortex/sim-kubeconfig.yaml', timeoutMs: 10_000 });
 * const pods = await kube.listPods('demo', { labelSelector: 'app=mcp-demo' });
 */
export function createKubePort(opts: KubePortOptions): KubePort {
  const kc = loadKubeConfig(opts);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const timeout = timeoutMiddleware(opts.timeoutMs);
  const options = (contentType?: string): ConfigurationOptions => ({
    // The PATCH content type is always explicit: client-node would send json-patch for any body.
    middleware: contentType ? [timeout, setHeaderMiddleware('Content-Type', contentType)] : [timeout],
    middlewareMergeStrategy: 'append'
  });
  const dry = (w?: WriteOptions): { dryRun?: string } => (w?.dryRun ? { dryRun: 'All' } : {});

  async function call<T>(what: string, op: Op, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      const mapped = mapKubeError(err, what, op);
      if (mapped === undefined) return undefined;
      throw mapped;
    }
  }
  const read = <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => call(what, 'read', fn);
  const list = async <T>(what: string, fn: () => Promise<{ items: T[] }>): Promise<T[]> =>
    (await call(what, 'list', fn))?.items ?? [];
  const write = async <T>(what: string, fn: () => Promise<T>): Promise<T> => (await call(what, 'write', fn)) as T;
  const sel = (o?: ListOptions): ListOptions => ({
    ...(o?.labelSelector ? { labelSelector: o.labelSelector } : {}),
    ...(o?.fieldSelector ? { fieldSelector: o.fieldSelector } : {})
  });

  return {
    watchChanges: changeWatcher(kc, {
      timeoutMs: opts.timeoutMs,
      options: () => options(),
      mapError: (err, what) => mapKubeError(err, what, 'list') ?? new TransientError(`${what} failed`)
    }),
    readNamespace: (name) => read(`reading namespace ${name}`, () => core.readNamespace({ name }, options())),
    readDeployment: (namespace, name) =>
      read(`reading deployment ${namespace}/${name}`, () => apps.readNamespacedDeployment({ name, namespace }, options())),
    listDeployments: (namespace, o) =>
      list(`listing deployments in ${namespace}`, () => apps.listNamespacedDeployment({ namespace, ...sel(o) }, options())),
    listReplicaSets: (namespace, o) =>
      list(`listing replicasets in ${namespace}`, () => apps.listNamespacedReplicaSet({ namespace, ...sel(o) }, options())),
    readService: (namespace, name) =>
      read(`reading service ${namespace}/${name}`, () => core.readNamespacedService({ name, namespace }, options())),
    listServices: (namespace, o) =>
      list(`listing services in ${namespace}`, () => core.listNamespacedService({ namespace, ...sel(o) }, options())),
    readEndpoints: (namespace, name) =>
      read(`reading endpoints ${namespace}/${name}`, () => core.readNamespacedEndpoints({ name, namespace }, options())),
    listEndpointSlices: (namespace, o) =>
      list(`listing endpointslices in ${namespace}`, () =>
        discovery.listNamespacedEndpointSlice({ namespace, ...sel(o) }, options())
      ),
    listPods: (namespace, o) =>
      list(`listing pods in ${namespace}`, () => core.listNamespacedPod({ namespace, ...sel(o) }, options())),
    async readPodLog(namespace, pod, o = {}) {
      const what = `reading ${o.previous ? 'previous ' : ''}log of pod ${namespace}/${pod}${o.container ? ` container ${o.container}` : ''}`;
      try {
        return await core.readNamespacedPodLog(
          {
            name: pod,
            namespace,
            ...(o.container ? { container: o.container } : {}),
            ...(o.previous ? { previous: true } : {}),
            ...(o.tailLines !== undefined ? { tailLines: o.tailLines } : {}),
            ...(o.limitBytes !== undefined ? { limitBytes: o.limitBytes } : {})
          },
          options()
        );
      } catch (err) {
        // No such pod, no previous container, or a container that never started: there is no log to read.
        if (
          err instanceof ApiException &&
          (err.code === 404 || (err.code === 400 && /not found|waiting to start/.test(statusMessage(err) ?? '')))
        ) {
          return undefined;
        }
        throw mapKubeError(err, what, 'read') ?? err;
      }
    },
    listEvents: (namespace, o) =>
      list(`listing events in ${namespace}`, () => core.listNamespacedEvent({ namespace, ...sel(o) }, options())),
    listNetworkPolicies: (namespace, o) =>
      list(`listing networkpolicies in ${namespace}`, () =>
        networking.listNamespacedNetworkPolicy({ namespace, ...sel(o) }, options())
      ),
    listHorizontalPodAutoscalers: (namespace, o) =>
      list(`listing horizontalpodautoscalers in ${namespace}`, () =>
        autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace, ...sel(o) }, options())
      ),
    async deletePod(namespace, name, w) {
      const what = `deleting pod ${namespace}/${name}`;
      try {
        await core.deleteNamespacedPod({ name, namespace, ...dry(w) }, options());
        return true;
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return false;
        throw mapKubeError(err, what, 'write') ?? err;
      }
    },
    async evictPod(namespace, name, w) {
      try {
        await core.createNamespacedPodEviction(
          { name, namespace, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } }, ...dry(w) },
          options()
        );
        return { outcome: 'evicted' };
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return { outcome: 'gone' };
        const refusal = evictionRefusal(err);
        if (refusal) return refusal;
        throw mapKubeError(err, `evicting pod ${namespace}/${name}`, 'write') ?? err;
      }
    },
    scaleDeployment: (namespace, name, replicas, w) =>
      write(`scaling deployment ${namespace}/${name} to ${replicas}`, () =>
        apps.patchNamespacedDeploymentScale(
          { name, namespace, body: { spec: { replicas } }, ...dry(w) },
          options(PATCH_CONTENT_TYPE.merge)
        )
      ),
    patchDeployment: (namespace, name, patch, w) =>
      write(`patching deployment ${namespace}/${name}`, () =>
        apps.patchNamespacedDeployment(
          { name, namespace, body: patch, ...dry(w) },
          options(PATCH_CONTENT_TYPE[w?.strategy ?? 'strategic'])
        )
      )
  };
}
