import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator } from '../../../local/kube-sim/index.js';
import { type ChangeFeed } from '../../../shared/kube/change-feed.js';
import { createKubePort, loadKubeConfig } from '../../../shared/kube/client-node.js';
import { type KubePort } from '../../../shared/kube/port.js';
import { ForbiddenError } from '../../../shared/runtime/errors.js';
import { startTestSimulator } from '../../helpers/kube-sim.js';

/*
 * KubePort.watchChanges through client-node's Watch against the simulator: a change wakes a wait within
 * milliseconds, existing objects do not (the watch starts at the list's resourceVersion), selectors filter,
 * bookmarks are served and ignored, and a watch that ends or is refused falls back to timers.
 */

describe('Cluster simulator: watches that drive waits (shared/kube watchChanges)', () => {
  let sim: Simulator;
  let kube: KubePort;
  let kc: KubeConfig;
  const feeds: ChangeFeed[] = [];
  const open = async (...args: Parameters<NonNullable<KubePort['watchChanges']>>): Promise<ChangeFeed> => {
    const feed = await kube.watchChanges!(...args);
    feeds.push(feed);
    return feed;
  };

  beforeAll(async () => {
    let kubeconfig: string;
    ({ sim, kubeconfig } = await startTestSimulator({ bookmarkMs: 100 }));
    kube = createKubePort({ kubeconfigPath: kubeconfig, timeoutMs: 5_000 });
    kc = loadKubeConfig({ kubeconfigPath: kubeconfig });
    await sim.waitFor(() => sim.get('Deployment', 'demo', 'mcp-tools')?.status?.['readyReplicas'] === 2);
  });
  afterAll(async () => {
    for (const f of feeds) f.close();
    await sim?.stop();
  });

  it('reports nothing for objects that already exist, then wakes on a change', async () => {
    // Prepare
    const feed = await open('demo', [{ kind: 'pods', labelSelector: 'app=legacy-api' }]);

    // Act
    const quiet = await feed.next(300);
    const scaled = kube.scaleDeployment('demo', 'legacy-api', 2);
    const woke = await feed.next(10_000);
    await scaled;

    // Assess
    expect({ quiet, woke }).toEqual({ quiet: false, woke: true });
    await kube.scaleDeployment('demo', 'legacy-api', 1);
  });

  it('a change between opening and waiting is kept for the next wait', async () => {
    // Prepare
    const feed = await open('demo', [{ kind: 'deployments' }]);

    // Act
    await kube.patchDeployment('demo', 'postgres', { metadata: { annotations: { touched: String(Date.now()) } } });
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    const woke = await feed.next(10_000);

    // Assess
    expect(woke).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a label selector leaves other workloads out', async () => {
    // Prepare
    const feed = await open('demo', [{ kind: 'pods', labelSelector: 'app=mcp-demo' }]);

    // Act
    await kube.patchDeployment('demo', 'postgres', { spec: { template: { metadata: { labels: { rev: 'b' } } } } });
    const other = await feed.next(500);

    // Assess
    expect(other).toBe(false);
  });

  it('serves bookmarks to watches that ask, with the current resourceVersion; the feed ignores them', async () => {
    // Prepare
    const events: { type: string; rv: string | undefined }[] = [];
    const feed = await open('demo', [{ kind: 'endpointslices', labelSelector: 'kubernetes.io/service-name=mcp-demo' }]);

    // Act
    const controller = await new Watch(kc).watch(
      '/apis/discovery.k8s.io/v1/namespaces/demo/endpointslices',
      { allowWatchBookmarks: true },
      (type, obj: { metadata?: { resourceVersion?: string } }) => events.push({ type, rv: obj.metadata?.resourceVersion }),
      () => {}
    );
    await sim.waitFor(() => events.some((e) => e.type === 'BOOKMARK'), { message: 'a bookmark' });
    controller.abort();
    const woke = await feed.next(300);

    // Assess
    const bookmark = events.find((e) => e.type === 'BOOKMARK')!;
    expect(Number(bookmark.rv)).toBeGreaterThan(0);
    expect(woke).toBe(false);
  });

  it('a watch the server ends wakes the wait once, then timers take over', async () => {
    // Prepare
    const feed = await open('demo', [{ kind: 'pods' }]);

    // Act
    sim.dropWatches();
    const once = await feed.next(5_000);
    const after = await feed.next(200);

    // Assess
    expect({ once, after }).toEqual({ once: true, after: false });
  });

  it('a refused list is a ForbiddenError, and nothing stays open', async () => {
    // Prepare
    const restore = sim.failRequests({ path: '/namespaces/demo/poddisruptionbudgets', code: 403, times: 1 });

    // Act
    const err = await kube.watchChanges!('demo', [{ kind: 'poddisruptionbudgets' }]).catch((e: unknown) => e);
    restore();

    // Assess
    expect(err).toBeInstanceOf(ForbiddenError);
  });

  it('API calls share one keep-alive agent, so they reuse connections instead of a TLS handshake each', async () => {
    // Act
    const first = (await kc.applyToFetchOptions({})).agent;
    const second = (await kc.applyToFetchOptions({})).agent;

    // Assess
    expect(first).toBeDefined();
    expect(second).toBe(first);
    expect((first as { keepAlive?: boolean }).keepAlive).toBe(true);
  });
});
