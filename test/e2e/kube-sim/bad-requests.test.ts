import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator } from '../../../local/kube-sim/index.js';
import { kubectl } from '../../helpers/kubectl.js';
import { asAdmin, startTestSimulator } from '../../helpers/kube-sim.js';

interface Status {
  kind: string;
  status: string;
  reason: string;
  message: string;
  code: number;
  details?: { name?: string; kind?: string; causes?: { field: string }[] };
}

describe('Cluster simulator: bad requests get Status errors and the server keeps serving', () => {
  let sim: Simulator;
  let kc: string;

  const call = async (method: string, path: string, body?: string, contentType = 'application/json') => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: asAdmin(sim, body !== undefined ? { 'Content-Type': contentType } : {}),
      body
    });
    return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as Status };
  };
  const stillServes = async (): Promise<void> => {
    const r = await kubectl(kc, ['get', 'deploy', 'mcp-demo', '-n', 'demo', '-o', 'name']);
    expect(r.stdout.trim()).toBe('deployment.apps/mcp-demo');
  };

  beforeAll(async () => {
    ({ sim, kubeconfig: kc } = await startTestSimulator());
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('malformed JSON is a 400 BadRequest', async () => {
    // Prepare
    const body = '{"metadata": {"name": "x"';

    // Act
    const r = await call('POST', '/api/v1/namespaces/demo/configmaps', body);

    // Assess
    expect(r.status).toBe(400);
    expect(r.contentType).toBe('application/json');
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    expect(r.body.message).toMatch(/^couldn't get version\/kind; json parse error: /);
    await stillServes();
  });

  it('an unknown resource is a 404 NotFound', async () => {
    // Prepare
    const path = '/api/v1/namespaces/demo/widgets';

    // Act
    const r = await call('GET', path);
    const group = await call('GET', '/apis/batch/v1/namespaces/demo/jobs');

    // Assess
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
      code: 404
    });
    expect(group.status).toBe(404);
    await stillServes();
  });

  it('an update with a stale resourceVersion is a 409 Conflict', async () => {
    // Prepare
    const current = (await (
      await fetch(`${sim.url}/apis/apps/v1/namespaces/demo/deployments/mcp-demo`, { headers: asAdmin(sim) })
    ).json()) as {
      metadata: { resourceVersion: string };
    };
    const stale = {
      ...current,
      metadata: { ...current.metadata, resourceVersion: String(Number(current.metadata.resourceVersion) - 1) }
    };

    // Act
    const r = await call('PUT', '/apis/apps/v1/namespaces/demo/deployments/mcp-demo', JSON.stringify(stale));

    // Assess
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ reason: 'Conflict', code: 409, details: { name: 'mcp-demo', kind: 'deployments' } });
    expect(r.body.message).toBe(
      'Operation cannot be fulfilled on deployments.apps "mcp-demo": the object has been modified; please apply your changes to the latest version and try again'
    );
    await stillServes();
  });

  it('an unsupported patch type is a 415, a json-patch that is not an array a 400', async () => {
    // Prepare
    const path = '/apis/apps/v1/namespaces/demo/deployments/mcp-demo';

    // Act
    const r = await call('PATCH', path, '{"spec":{"replicas":2}}', 'application/xml');
    const notArray = await call('PATCH', path, '{"spec":{"replicas":2}}', 'application/json-patch+json');

    // Assess
    expect(r.status).toBe(415);
    expect(r.body).toMatchObject({ reason: 'UnsupportedMediaType', code: 415 });
    expect(r.body.message).toContain('application/strategic-merge-patch+json');
    expect(notArray.status).toBe(400);
    expect(notArray.body.reason).toBe('BadRequest');
    await stillServes();
  });

  it('creating twice is a 409 AlreadyExists; invalid values a 422 with causes', async () => {
    // Prepare
    const cm = JSON.stringify({ metadata: { name: 'twice' }, data: { a: '1' } });

    // Act
    const first = await call('POST', '/api/v1/namespaces/demo/configmaps', cm);
    const second = await call('POST', '/api/v1/namespaces/demo/configmaps', cm);
    const invalid = await call(
      'PATCH',
      '/apis/apps/v1/namespaces/demo/deployments/mcp-demo',
      '{"spec":{"replicas":-1}}',
      'application/merge-patch+json'
    );

    // Assess
    expect(first.status).toBe(201);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "twice" already exists' });
    expect(invalid.status).toBe(422);
    expect(invalid.body.message).toBe(
      'Deployment.apps "mcp-demo" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'
    );
    expect(invalid.body.details?.causes?.[0]?.field).toBe('spec.replicas');
    await stillServes();
  });

  it('a wrong method is a 405; a bad selector a 400; a missing object a 404', async () => {
    // Prepare
    const item = '/api/v1/namespaces/demo/configmaps/twice';

    // Act
    const post = await call('POST', item, '{}');
    const selector = await call('GET', '/api/v1/namespaces/demo/pods?labelSelector=app%20in%20(');
    const field = await call('GET', '/api/v1/namespaces/demo/pods?fieldSelector=spec.color%3Dred');
    const missing = await call('GET', '/api/v1/namespaces/demo/pods/nope');

    // Assess
    expect(post.status).toBe(405);
    expect(post.body.reason).toBe('MethodNotAllowed');
    expect(selector.status).toBe(400);
    expect(field.status).toBe(400);
    expect(field.body.message).toBe('field label not supported: spec.color');
    expect(missing.body).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'pods "nope" not found',
      details: { name: 'nope', kind: 'pods' }
    });
    await stillServes();
  });

  it('server-side apply creates a missing object (201) and updates it after (200)', async () => {
    // Prepare
    const path = '/api/v1/namespaces/demo/configmaps/applied?fieldManager=test&force=true';

    // Act
    const created = await fetch(`${sim.url}${path}`, {
      method: 'PATCH',
      headers: asAdmin(sim, { 'Content-Type': 'application/apply-patch+yaml' }),
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: "1"\n'
    });
    const updated = await fetch(`${sim.url}${path}`, {
      method: 'PATCH',
      headers: asAdmin(sim, { 'Content-Type': 'application/apply-patch+yaml' }),
      body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied"},"data":{"a":"2"}}'
    });

    // Assess
    expect(created.status).toBe(201);
    expect(updated.status).toBe(200);
    expect(((await updated.json()) as { data: Record<string, string> }).data).toEqual({ a: '2' });
  });
});
