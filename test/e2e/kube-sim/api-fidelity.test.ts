import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Node } from 'kubernetes-models/v1/Node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator } from '../../../local/kube-sim/index.js';
import { asAdmin, startTestSimulator } from '../../helpers/kube-sim.js';
import { kubectl } from '../../helpers/kubectl.js';

/*
 * What clients other than kubectl 1.20 and client-node hit: booleans and integers parsed like apimachinery, the
 * option structs validated like the API server, limit/continue paging with consistent snapshots and their expiry, and
 * Node objects complete enough for a client that validates its models. All over HTTP, kubectl and client-node where
 * they page by themselves.
 */

interface PodList {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: Array<{ metadata: { name: string } }>;
}

let sim: Simulator;
let kc: string;
const PAGED = 'paged';
const COUNT = 1000;

const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${sim.url}${path}`, { headers: asAdmin(sim, headers) });
  return { status: res.status, text: await res.text(), headers: res.headers };
};
const post = (path: string, body: unknown) =>
  fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: asAdmin(sim, { 'Content-Type': 'application/json' }),
    body: JSON.stringify(body)
  });

/** Reads a watch for `ms` and returns its event types (a list answer has none and ends at once). */
async function watchTypes(query: string, ms = 400): Promise<{ status: number; types: string[]; isList: boolean }> {
  const ctl = new AbortController();
  const res = await fetch(`${sim.url}/api/v1/namespaces/demo/pods?${query}`, { headers: asAdmin(sim), signal: ctl.signal });
  const timer = setTimeout(() => ctl.abort(), ms);
  let text = '';
  const reader = res.body!.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += Buffer.from(r.value).toString('utf8');
  } catch {
    // aborted: the stream was still open, as a watch is
  }
  clearTimeout(timer);
  const isList = text.startsWith('{"kind":"PodList"');
  const types = isList
    ? []
    : text
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { type: string }).type);
  return { status: res.status, types, isList };
}

beforeAll(async () => {
  ({ sim, kubeconfig: kc } = await startTestSimulator({ podStartMs: 600_000, continueTtlMs: 1500 }));
  expect((await post('/api/v1/namespaces', { metadata: { name: PAGED } })).status).toBe(201);
  for (let i = 0; i < COUNT; i += 50) {
    const batch = Array.from({ length: 50 }, (_, j) => {
      const n = String(i + j).padStart(4, '0');
      return post(`/api/v1/namespaces/${PAGED}/pods`, {
        metadata: { name: `p-${n}`, labels: { batch: String(Math.floor((i + j) / 100)) } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] }
      });
    });
    for (const res of await Promise.all(batch)) expect(res.status).toBe(201);
  }
}, 120_000);
afterAll(async () => {
  await sim?.stop();
});

describe('Simulator API: query parameters as the API server parses them', () => {
  it.each(['watch=True', 'watch=1', 'watch=true', 'watch=yes', 'watch='])('%s streams watch events', async (q) => {
    // Act
    const r = await watchTypes(q);
    // Assess
    expect(r.status).toBe(200);
    expect(r.isList).toBe(false);
    expect(r.types.length).toBeGreaterThan(0);
    expect(new Set(r.types)).toEqual(new Set(['ADDED']));
  });

  it.each(['watch=false', 'watch=FALSE', 'watch=0', ''])('"%s" is a list', async (q) => {
    // Act
    const r = await watchTypes(q);
    // Assess
    expect(r.isList).toBe(true);
  });

  it('a watch=True stream delivers a change made after it opened', async () => {
    // Prepare
    const ctl = new AbortController();
    const res = await fetch(`${sim.url}/api/v1/namespaces/demo/configmaps?watch=True`, {
      headers: asAdmin(sim),
      signal: ctl.signal
    });
    const reader = res.body!.getReader();
    // Act
    expect((await post('/api/v1/namespaces/demo/configmaps', { metadata: { name: 'watched' } })).status).toBe(201);
    let text = '';
    while (!text.includes('"watched"')) text += Buffer.from((await reader.read()).value!).toString('utf8');
    ctl.abort();
    // Assess
    const events = text
      .split('\n')
      .filter((l) => l.includes('"watched"'))
      .map((l) => JSON.parse(l) as { type: string; object: { kind: string; metadata: { name: string } } });
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: 'watched' } } });
  });

  it.each([
    ['limit=abc', 400, 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['limit=', 400, 'strconv.ParseInt: parsing "": invalid syntax'],
    ['timeoutSeconds=1.5&watch=1', 400, 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    [
      'resourceVersionMatch=Exact',
      422,
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'
    ],
    [
      'resourceVersion=5&resourceVersionMatch=Sometimes',
      422,
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Sometimes": supported values: "Exact", "NotOlderThan", ""'
    ],
    [
      'watch=1&sendInitialEvents=true',
      422,
      'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled]'
    ],
    ['continue=abc&resourceVersion=7', 400, 'specifying resource version is not allowed when using continue'],
    ['continue=!!', 400, 'invalid continue token: continue key is not valid: illegal base64 data at input byte 0']
  ])('GET pods?%s answers %i with the API server words', async (q, code, message) => {
    // Act
    const r = await get(`/api/v1/namespaces/demo/pods?${q}`);
    // Assess
    expect(r.status).toBe(code);
    expect((JSON.parse(r.text) as { message: string }).message).toBe(message);
  });

  it('writes validate dryRun, fieldManager, force and the apply fieldManager', async () => {
    // Act
    const dry = await fetch(`${sim.url}/api/v1/namespaces/demo/configmaps?dryRun=Maybe`, {
      method: 'POST',
      headers: asAdmin(sim, { 'Content-Type': 'application/json' }),
      body: '{"metadata":{"name":"x"}}'
    });
    const force = await fetch(`${sim.url}/api/v1/namespaces/demo/configmaps/watched?force=false`, {
      method: 'PATCH',
      headers: asAdmin(sim, { 'Content-Type': 'application/merge-patch+json' }),
      body: '{}'
    });
    const apply = await fetch(`${sim.url}/api/v1/namespaces/demo/configmaps/watched`, {
      method: 'PATCH',
      headers: asAdmin(sim, { 'Content-Type': 'application/apply-patch+yaml' }),
      body: '{}'
    });
    const grace = await fetch(`${sim.url}/api/v1/namespaces/demo/configmaps/watched?gracePeriodSeconds=soon`, {
      method: 'DELETE',
      headers: asAdmin(sim)
    });
    // Assess
    expect([dry.status, force.status, apply.status, grace.status]).toEqual([422, 422, 422, 400]);
    expect(((await dry.json()) as { message: string }).message).toBe(
      'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Maybe"}: supported values: "All"'
    );
    expect(((await force.json()) as { message: string }).message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'
    );
    expect(((await apply.json()) as { message: string }).message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
    );
    expect(((await grace.json()) as { message: string }).message).toBe('strconv.ParseInt: parsing "soon": invalid syntax');
  });

  it('pretty=1 indents the answer, as for curl', async () => {
    // Act
    const r = await get('/api/v1/namespaces/demo?pretty=1');
    const plain = await get('/api/v1/namespaces/demo?pretty=0');
    // Assess
    expect(r.text).toMatch(/^\{\n {2}"\w+": /);
    expect(r.text.endsWith('}\n')).toBe(true);
    expect(plain.text).toMatch(/^\{"\w+":/);
  });
});

describe('Simulator API: limit/continue over 1,000 pods', () => {
  it('pages through every pod in key order, each page at the first page resourceVersion, with remainingItemCount', async () => {
    // Prepare
    const names: string[] = [];
    const rvs = new Set<string>();
    const remaining: number[] = [];
    let token: string | undefined;
    let pages = 0;
    // Act
    do {
      const r = await get(`/api/v1/namespaces/${PAGED}/pods?limit=100${token ? `&continue=${token}` : ''}`);
      expect(r.status).toBe(200);
      const list = JSON.parse(r.text) as PodList;
      names.push(...list.items.map((p) => p.metadata.name));
      rvs.add(list.metadata.resourceVersion);
      if (list.metadata.remainingItemCount !== undefined) remaining.push(list.metadata.remainingItemCount);
      token = list.metadata.continue;
      // Changes between pages must not show: the list is the state of its first page.
      if (pages === 0) {
        expect(
          (
            await post(`/api/v1/namespaces/${PAGED}/pods`, {
              metadata: { name: 'p-9999' },
              spec: { containers: [{ name: 'a', image: 'b' }] }
            })
          ).status
        ).toBe(201);
      }
      pages++;
    } while (token);
    // Assess
    expect(pages).toBe(10);
    expect(names).toHaveLength(COUNT);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(COUNT);
    expect(names).not.toContain('p-9999');
    expect(rvs.size).toBe(1);
    expect(remaining).toEqual([900, 800, 700, 600, 500, 400, 300, 200, 100]);
  });

  it('a selector pages too, without remainingItemCount', async () => {
    // Act
    const first = JSON.parse(
      (await get(`/api/v1/namespaces/${PAGED}/pods?labelSelector=batch%3D3&limit=60`)).text
    ) as PodList;
    const second = JSON.parse(
      (await get(`/api/v1/namespaces/${PAGED}/pods?labelSelector=batch%3D3&limit=60&continue=${first.metadata.continue}`))
        .text
    ) as PodList;
    // Assess
    expect(first.items.map((p) => p.metadata.name)[0]).toBe('p-0300');
    expect(first.metadata.remainingItemCount).toBeUndefined();
    expect(second.items).toHaveLength(40);
    expect(second.metadata.continue).toBeUndefined();
  });

  it('kubectl 1.20 follows the continue tokens (--chunk-size) and client-node pages with limit/_continue', async () => {
    // Prepare
    const config = new KubeConfig();
    config.loadFromFile(kc);
    const core = config.makeApiClient(CoreV1Api);
    // Act
    const r = await kubectl(kc, ['get', 'pods', '-n', PAGED, '--chunk-size=250', '-o', 'name']);
    const first = await core.listNamespacedPod({ namespace: PAGED, limit: 600 });
    const rest = await core.listNamespacedPod({ namespace: PAGED, limit: 600, _continue: first.metadata!._continue! });
    // Assess
    expect(r.stdout.trim().split('\n')).toHaveLength(COUNT + 1);
    expect(first.items).toHaveLength(600);
    expect(rest.items).toHaveLength(401);
    expect(rest.metadata?._continue).toBeUndefined();
  });

  it('resourceVersion=0 is served from the watch cache, which ignores limit', async () => {
    // Act
    const list = JSON.parse((await get(`/api/v1/namespaces/${PAGED}/pods?limit=10&resourceVersion=0`)).text) as PodList;
    // Assess
    expect(list.items).toHaveLength(COUNT + 1);
    expect(list.metadata.continue).toBeUndefined();
  });

  it('a continue token expires like etcd compaction: 410 with a token that continues inconsistently', async () => {
    // Prepare
    const first = JSON.parse((await get(`/api/v1/namespaces/${PAGED}/pods?limit=400`)).text) as PodList;
    // The cluster moves on (etcd never compacts its newest revision), then the compaction interval passes.
    expect((await post('/api/v1/namespaces/demo/configmaps', { metadata: { name: 'moved-on' } })).status).toBe(201);
    await new Promise((r) => setTimeout(r, 1700));
    // Act
    const gone = await get(`/api/v1/namespaces/${PAGED}/pods?limit=400&continue=${first.metadata.continue}`);
    const status = JSON.parse(gone.text) as {
      code: number;
      reason: string;
      message: string;
      metadata: { continue: string };
    };
    const resumed = JSON.parse(
      (await get(`/api/v1/namespaces/${PAGED}/pods?limit=1000&continue=${status.metadata.continue}`)).text
    ) as PodList;
    // Assess
    expect(gone.status).toBe(410);
    expect(status).toMatchObject({ code: 410, reason: 'Expired' });
    expect(status.message).toMatch(/^The provided continue parameter is too old to display a consistent list result\./);
    expect(resumed.items[0]!.metadata.name).toBe('p-0400');
    expect(resumed.items).toHaveLength(COUNT + 1 - 400);
  });
});

describe('Simulator API: resourceVersion semantics of get and list', () => {
  it('get waits for a future resourceVersion, then answers 504 like the watch cache', async () => {
    // Prepare
    const rv = Number(
      (JSON.parse((await get('/api/v1/namespaces/demo/pods?limit=1')).text) as PodList).metadata.resourceVersion
    );
    // Act
    const now = await get(`/api/v1/namespaces/demo?resourceVersion=${rv}`);
    const future = await get(`/api/v1/namespaces/demo?resourceVersion=${rv + 100_000}`);
    // Assess
    expect(now.status).toBe(200);
    expect(future.status).toBe(504);
    expect(JSON.parse(future.text)).toMatchObject({
      reason: 'Timeout',
      message: `Timeout: Too large resource version: ${rv + 100_000}, current: ${rv}`,
      details: { causes: [{ reason: 'ResourceVersionTooLarge' }], retryAfterSeconds: 1 }
    });
  });

  it('an Exact list is served at its resourceVersion while a snapshot of it is kept, else 410', async () => {
    // Prepare: a paged list keeps the state it started from
    const first = JSON.parse((await get(`/api/v1/namespaces/${PAGED}/pods?limit=5`)).text) as PodList;
    const rv = first.metadata.resourceVersion;
    expect((await post('/api/v1/namespaces/demo/configmaps', { metadata: { name: 'later' } })).status).toBe(201);
    // Act
    const exact = await get(`/api/v1/namespaces/${PAGED}/pods?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    const ancient = await get(`/api/v1/namespaces/${PAGED}/pods?resourceVersion=1001&resourceVersionMatch=Exact`);
    // Assess
    expect(exact.status).toBe(200);
    expect((JSON.parse(exact.text) as PodList).metadata.resourceVersion).toBe(rv);
    expect(ancient.status).toBe(410);
    expect(JSON.parse(ancient.text)).toMatchObject({
      reason: 'Expired',
      message: 'The resourceVersion for the provided list is too old.'
    });
  });
});

describe('Simulator API: complete Node objects', () => {
  it('list nodes returns Nodes that validate against the Kubernetes models, with the full nodeInfo', async () => {
    // Act
    const list = JSON.parse((await get('/api/v1/nodes')).text) as { items: Record<string, unknown>[] };
    // Assess
    expect(list.items).toHaveLength(1);
    for (const item of list.items) {
      expect(() => new Node(item as never).validate()).not.toThrow();
      const info = (item['status'] as { nodeInfo: Record<string, string> }).nodeInfo;
      for (const field of [
        'machineID',
        'systemUUID',
        'bootID',
        'kernelVersion',
        'osImage',
        'containerRuntimeVersion',
        'kubeletVersion',
        'kubeProxyVersion',
        'operatingSystem',
        'architecture'
      ])
        expect(info[field], field).toMatch(/\S/);
    }
  });

  it('kubectl get nodes -o wide shows the image, kernel and runtime', async () => {
    // Act
    const r = await kubectl(kc, ['get', 'nodes', '-o', 'wide']);
    // Assess
    expect(r.stdout).toMatch(
      /sim-node-1\s+Ready\s+<none>\s+\S+\s+v1\.30\.0-sim\s+172\.18\.0\.2\s+<none>\s+Debian GNU\/Linux 12 \(bookworm\)\s+6\.1\.0-sim\s+containerd:\/\/1\.7\.0/
    );
  });
});
