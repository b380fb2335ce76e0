import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuditedWrite, type Simulator, startSimulator } from '../../../../local/kube-sim/index.js';

/** The simulator's write audit: every client write, attributed to its authenticated user; never the controllers' own writes. */
describe('Kube simulator: write audit', () => {
  let sim: Simulator;
  let writes: AuditedWrite[];
  let stop: () => void;

  /** A request as the admin, or anonymous (no credentials) when `admin` is false. */
  const call = (method: string, path: string, admin: boolean, body?: unknown, type = 'application/json') =>
    fetch(`${sim.url}${path}`, {
      method,
      headers: { 'Content-Type': type, ...(admin ? { Authorization: `Bearer ${sim.adminToken}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {})
    }).then(async (r) => ({ status: r.status, body: await r.text() }));
  const pods = (app: string) => sim.list('Pod', 'demo', `app=${app}`).filter((p) => !p.metadata.deletionTimestamp);

  beforeEach(async () => {
    sim = await startSimulator({ seed: 'demo', podStartMs: 0, terminationMs: 0 });
    writes = [];
    stop = sim.onWrite((w) => writes.push(w));
    await sim.waitFor(() => pods('mcp-tools').length === 2);
  });
  afterEach(async () => {
    stop();
    await sim.stop();
  });

  it('records a client write with its user, object and status, and none of what the controllers did because of it', async () => {
    // Act
    const scaled = await call(
      'PATCH',
      '/apis/apps/v1/namespaces/demo/deployments/mcp-tools/scale',
      true,
      { spec: { replicas: 3 } },
      'application/merge-patch+json'
    );
    await sim.waitFor(() => pods('mcp-tools').length === 3);

    // Assess
    expect(scaled.status).toBe(200);
    expect(writes).toEqual([
      {
        time: expect.any(String),
        user: 'kubernetes-admin',
        verb: 'patch',
        resource: 'deployments.apps/scale',
        namespace: 'demo',
        name: 'mcp-tools',
        code: 200,
        dryRun: false
      }
    ]);
  });

  it('marks dry runs, keeps failed writes with their status, tells deletecollection apart, and ignores reads', async () => {
    // Act
    const victim = pods('mcp-demo')[0]!.metadata.name;
    await call('DELETE', `/api/v1/namespaces/demo/pods/${victim}?dryRun=All`, true);
    await call('DELETE', '/api/v1/namespaces/demo/pods/no-such-pod', true);
    await call('DELETE', '/api/v1/namespaces/demo/pods?labelSelector=app%3Dlegacy-api', true);
    await call('GET', '/api/v1/namespaces/demo/pods', true);
    await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', true, {
      spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'demo' } }
    });
    await call('POST', '/api/v1/namespaces/demo/configmaps', false, { metadata: { name: 'c' }, data: {} });

    // Assess
    expect(
      writes.map(({ user, verb, resource, name, code, dryRun }) => ({ user, verb, resource, name, code, dryRun }))
    ).toEqual([
      { user: 'kubernetes-admin', verb: 'delete', resource: 'pods', name: victim, code: 200, dryRun: true },
      { user: 'kubernetes-admin', verb: 'delete', resource: 'pods', name: 'no-such-pod', code: 404, dryRun: false },
      { user: 'kubernetes-admin', verb: 'deletecollection', resource: 'pods', name: undefined, code: 200, dryRun: false },
      // Anonymous writes are refused (403) and still recorded: the audit says who tried.
      { user: 'system:anonymous', verb: 'create', resource: 'configmaps', name: undefined, code: 403, dryRun: false }
    ]);
    expect(pods('mcp-demo').map((p) => p.metadata.name)).toEqual([victim]);
  });

  it('a listener that stopped hears nothing more; another one still does', async () => {
    // Prepare
    const other: AuditedWrite[] = [];
    const stopOther = sim.onWrite((w) => other.push(w));
    stop();

    // Act
    await call('POST', '/api/v1/namespaces/demo/configmaps', true, { metadata: { name: 'c2' }, data: {} });
    stopOther();

    // Assess
    expect(writes).toEqual([]);
    expect(other.map((w) => w.name ?? w.verb)).toEqual(['create']);
  });
});

describe('Kube simulator: several faults in one annotation, through the API', () => {
  it('evicted, then a transient crash loop added to the list: the evicted pod stays, only its replacement crashes', async () => {
    // Prepare
    const sim = await startSimulator({
      seed: 'demo',
      podStartMs: 0,
      backoffBaseMs: 100,
      crashAfterMs: 50,
      crashHoldMs: 50
    });
    const annotate = (fault: string) =>
      fetch(`${sim.url}/apis/apps/v1/namespaces/demo/deployments/mcp-demo`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json', Authorization: `Bearer ${sim.adminToken}` },
        body: JSON.stringify({ metadata: { annotations: { 'sim.cortex.dev/fault': fault } } })
      });
    type P = {
      metadata: { name: string };
      status: { phase: string; reason?: string; containerStatuses?: { restartCount: number }[] };
    };
    const pods = () => sim.list('Pod', 'demo', 'app=mcp-demo') as unknown as P[];
    const running = () => pods().filter((p) => p.status.phase === 'Running');

    try {
      await sim.waitFor(() => running().length === 1);

      // Act
      await annotate('evicted');
      const evicted = await sim.waitFor(() => pods().find((p) => p.status.reason === 'Evicted'));
      await sim.waitFor(() => running().length === 1);
      await annotate('evicted,crashloop-transient');
      const replacement = await sim.waitFor(() =>
        running().find((p) => (p.status.containerStatuses?.[0]?.restartCount ?? 0) >= 1)
      );

      // Assess
      expect(replacement.metadata.name).not.toBe(evicted.metadata.name);
      expect(
        pods()
          .filter((p) => p.status.reason === 'Evicted')
          .map((p) => p.metadata.name)
      ).toEqual([evicted.metadata.name]);
    } finally {
      await sim.stop();
    }
  });
});
