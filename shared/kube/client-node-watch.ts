/*
 * KubePort.watchChanges over client-node's Watch. Each target is listed once (limit 1: only the collection's
 * resourceVersion is wanted) and watched from that resourceVersion, so no change after the list is missed and the
 * synthetic ADDED events of a watch without one are not mistaken for changes. Bookmarks are asked for and ignored.
 * A watch that ends (timeout, 410 Expired, a dropped connection) ends the feed's reports: the waiter re-reads once
 * and falls back to its timer, which bounds every wait anyway.
 */
import {
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  type ConfigurationOptions,
  type KubeConfig,
  PolicyV1Api,
  Watch
} from '@kubernetes/client-node';
import { TransientError } from '../runtime/errors.js';
import { type ChangeFeed, changeSink } from './change-feed.js';
import { type WatchTarget, type WatchedKind } from './port.js';

type ListRv = (
  namespace: string,
  labelSelector: string | undefined,
  watch?: boolean
) => Promise<{ metadata?: { resourceVersion?: string } }>;

interface KindApi {
  path: (namespace: string) => string;
  list: ListRv;
}

/**
 * The watchChanges of a KubePort. `options` gives each list request its deadline; `mapError` turns a client failure
 * into a CortexError.
 *
 * @example
 * const watchChanges = changeWatcher(kc, { timeoutMs: 10_000, options, mapError });
 * const feed = await watchChanges('demo', [{ kind: 'pods', labelSelector: 'app=api' }]);
 */
export function changeWatcher(
  kc: KubeConfig,
  o: { timeoutMs: number; options: () => ConfigurationOptions; mapError: (err: unknown, what: string) => Error }
): (namespace: string, targets: readonly WatchTarget[]) => Promise<ChangeFeed> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  // `watch` only to read a refusal: client-node's Watch drops the Status body, the API classes keep it.
  const sel = (
    s: string | undefined,
    watch?: boolean
  ): { labelSelector?: string; watch?: boolean; timeoutSeconds?: number } => ({
    ...(s ? { labelSelector: s } : {}),
    ...(watch ? { watch: true, timeoutSeconds: 1 } : {})
  });
  const kinds: Record<WatchedKind, KindApi> = {
    pods: {
      path: (ns) => `/api/v1/namespaces/${ns}/pods`,
      list: (namespace, s, w) => core.listNamespacedPod({ namespace, limit: 1, ...sel(s, w) }, o.options())
    },
    deployments: {
      path: (ns) => `/apis/apps/v1/namespaces/${ns}/deployments`,
      list: (namespace, s, w) => apps.listNamespacedDeployment({ namespace, limit: 1, ...sel(s, w) }, o.options())
    },
    endpointslices: {
      path: (ns) => `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`,
      list: (namespace, s, w) => discovery.listNamespacedEndpointSlice({ namespace, limit: 1, ...sel(s, w) }, o.options())
    },
    poddisruptionbudgets: {
      path: (ns) => `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`,
      list: (namespace, s, w) => policy.listNamespacedPodDisruptionBudget({ namespace, limit: 1, ...sel(s, w) }, o.options())
    }
  };
  const watch = new Watch(kc);

  return async (namespace, targets) => {
    const controllers: AbortController[] = [];
    let closed = false;
    const sink = changeSink(() => {
      closed = true;
      controllers.forEach((c) => c.abort());
    });
    const open = async (t: WatchTarget): Promise<void> => {
      const what = `watching ${t.kind} in ${namespace}`;
      const api = kinds[t.kind];
      let rv: string | undefined;
      try {
        rv = (await api.list(namespace, t.labelSelector)).metadata?.resourceVersion;
      } catch (err) {
        throw o.mapError(err, what);
      }
      let failed: unknown;
      const controller = await watch.watch(
        api.path(namespace),
        { allowWatchBookmarks: true, ...(rv ? { resourceVersion: rv } : {}), ...sel(t.labelSelector) },
        (type: string) => {
          if (type === 'BOOKMARK') return;
          if (type === 'ERROR') sink.fail();
          else sink.notify();
        },
        (err: unknown) => {
          failed = err ?? failed;
          sink.fail();
        }
      );
      controllers.push(controller);
      // A watch that opens after the feed closed (the deadline passed, another target failed) ends at once.
      if (closed) controller.abort();
      if (!failed) return;
      const status = (failed as { statusCode?: unknown }).statusCode;
      if (status === 401 || status === 403) {
        // The same request through the API class, for the API server's own words (who may not watch what).
        await api.list(namespace, t.labelSelector, true).then(
          () => undefined,
          (err: unknown) => {
            throw o.mapError(err, what);
          }
        );
      }
      throw o.mapError(failed, what);
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TransientError(`opening watches in ${namespace} timed out after ${o.timeoutMs} ms`)),
        o.timeoutMs
      );
    });
    try {
      await Promise.race([Promise.all(targets.map(open)), deadline]);
      return sink.feed;
    } catch (err) {
      sink.feed.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
}
