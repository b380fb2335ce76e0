/*
 * The KubePort adapter over @kubernetes/client-node 1.4.0; with client-node-errors.ts, client-node-watch.ts and
 * agents.ts, the only modules that load that library at run time.
 * Traps it handles (reference libraries.md §1): PATCH defaults to json-patch, so the strategy is always passed
 * explicitly; errors are ApiException with a numeric `.code` and the Status as a JSON string in `.body`; http://
 * servers need skipTLSVerify. Every failure leaves here as a CortexError with retry meaning, never a raw exception.
 */
import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  DiscoveryV1Api,
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
import { TransientError } from '../runtime/errors.js';
import { reuseConnections } from './agents.js';
import { evictionRefusal, mapKubeError, statusMessage, type Op } from './client-node-errors.js';
import { changeWatcher } from './client-node-watch.js';

export { evictionRefusal, mapKubeError } from './client-node-errors.js';
import { type KubePort, type ListOptions, type PatchStrategy, type WriteOptions } from './port.js';

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
