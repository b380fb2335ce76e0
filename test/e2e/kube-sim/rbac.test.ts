import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects, requestToken } from '../../../local/kube-sim/apply.js';
import { type KubeObject, type Simulator } from '../../../local/kube-sim/index.js';
import { asAdmin, startTestSimulator } from '../../helpers/kube-sim.js';
import { kubectl } from '../../helpers/kubectl.js';

/*
 * Authentication and authorization over HTTP and through kubectl 1.20: tokens, the 403 of the API server, RBAC's
 * namespaces, names and subresources, impersonation, and the review APIs answering from the same rules.
 */

interface Status {
  code: number;
  message: string;
  reason: string;
  details?: Record<string, unknown>;
}

let sim: Simulator;
let kc: string;
let token: string;
const dir = mkdtempSync(path.join(os.tmpdir(), 'kube-sim-rbac-'));
const AGENT = 'system:serviceaccount:cortex:agent';

const rbac = (kind: string, name: string, namespace: string | undefined, rest: object): KubeObject =>
  ({
    apiVersion: kind === 'ServiceAccount' || kind === 'Namespace' ? 'v1' : 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    ...rest
  }) as KubeObject;

const as = (bearer: string | undefined, extra: Record<string, string> = {}) => ({
  ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
  ...extra
});
const get = async (p: string, headers: Record<string, string>) => {
  const res = await fetch(`${sim.url}${p}`, { headers });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Status & Record<string, unknown> };
};
const review = async (p: string, body: object, headers: Record<string, string>) => {
  const res = await fetch(`${sim.url}${p}`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify(body)
  });
  return { status: res.status, body: (await res.json()) as { status: Record<string, unknown> } & Status };
};

beforeAll(async () => {
  ({ sim, kubeconfig: kc } = await startTestSimulator());
  await applyObjects(sim.url, sim.adminToken, [
    rbac('Namespace', 'cortex', undefined, {}),
    rbac('ServiceAccount', 'agent', 'cortex', {}),
    rbac('Role', 'one-pod', 'demo', {
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'], resourceNames: ['pinned'] },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['*'], verbs: ['list'] }
      ]
    }),
    rbac('RoleBinding', 'agent-one-pod', 'demo', {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'one-pod' },
      subjects: [{ kind: 'ServiceAccount', name: 'agent', namespace: 'cortex' }]
    })
  ]);
  token = await requestToken(sim.url, sim.adminToken, 'cortex', 'agent');
}, 60_000);
afterAll(async () => {
  await sim?.stop();
});

describe('Simulator: authentication', () => {
  it('no credential is system:anonymous: health and version only', async () => {
    // Act
    const version = await fetch(`${sim.url}/version`);
    const api = await get('/api', {});
    // Assess
    expect(version.status).toBe(200);
    expect(api.status).toBe(403);
    expect(api.body.message).toBe('forbidden: User "system:anonymous" cannot get path "/api"');
  });

  it('a token the server did not issue is 401, and kubectl says so', async () => {
    // Prepare
    const bad = await sim.writeKubeconfig(path.join(dir, 'bad.yaml'), 'demo', 'not-a-token');
    // Act
    const r = await get('/api/v1/namespaces/demo/pods', as('not-a-token'));
    const k = await kubectl(bad, ['get', 'pods']);
    // Assess
    expect(r).toMatchObject({ status: 401, body: { reason: 'Unauthorized', message: 'Unauthorized' } });
    expect(k.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });

  it('a ServiceAccount token from TokenRequest authenticates until its ServiceAccount is deleted', async () => {
    // Prepare
    await applyObjects(sim.url, sim.adminToken, [rbac('ServiceAccount', 'short', 'cortex', {})]);
    const short = await requestToken(sim.url, sim.adminToken, 'cortex', 'short');
    const whoami = () => review('/apis/authentication.k8s.io/v1/selfsubjectreviews', {}, as(short));
    // Act
    const before = await whoami();
    await fetch(`${sim.url}/api/v1/namespaces/cortex/serviceaccounts/short`, { method: 'DELETE', headers: asAdmin(sim) });
    const after = await whoami();
    // Assess
    expect(before.status).toBe(201);
    expect(before.body.status['userInfo']).toMatchObject({
      username: 'system:serviceaccount:cortex:short',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:cortex', 'system:authenticated']
    });
    expect(after.status).toBe(401);
  });

  it('a TokenRequest shorter than ten minutes is invalid', async () => {
    // Act
    const r = await review(
      '/api/v1/namespaces/cortex/serviceaccounts/agent/token',
      { spec: { expirationSeconds: 60 } },
      asAdmin(sim)
    );
    // Assess
    expect(r.status).toBe(422);
    expect(r.body.message).toBe(
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes'
    );
  });
});

describe('Simulator: RBAC', () => {
  it('a denied request is the API server 403, in kubectl too', async () => {
    // Prepare
    const agent = await sim.writeKubeconfig(path.join(dir, 'agent.yaml'), 'demo', token);
    // Act
    const r = await get('/api/v1/namespaces/demo/services', as(token));
    const k = await kubectl(agent, ['get', 'services']);
    // Assess
    expect(r).toMatchObject({
      status: 403,
      body: {
        kind: 'Status',
        status: 'Failure',
        reason: 'Forbidden',
        message: `services is forbidden: User "${AGENT}" cannot list resource "services" in API group "" in the namespace "demo"`,
        details: { kind: 'services' },
        code: 403
      }
    });
    expect(k.stderr.trim()).toBe(
      `Error from server (Forbidden): services is forbidden: User "${AGENT}" cannot list resource "services" in API group "" in the namespace "demo"`
    );
  });

  it('resourceNames: the named pod only, also as a list or watch pinned to it by field selector', async () => {
    // Act
    const named = await get('/api/v1/namespaces/demo/pods/pinned', as(token));
    const other = await get('/api/v1/namespaces/demo/pods/other', as(token));
    const pinnedList = await get('/api/v1/namespaces/demo/pods?fieldSelector=metadata.name%3Dpinned', as(token));
    const allList = await get('/api/v1/namespaces/demo/pods', as(token));
    // Assess: authorized, then the usual 404 for a pod that does not exist
    expect(named.status).toBe(404);
    expect(other.body.message).toBe(
      `pods "other" is forbidden: User "${AGENT}" cannot get resource "pods" in API group "" in the namespace "demo"`
    );
    expect(pinnedList.status).toBe(200);
    expect(allList.status).toBe(403);
  });

  it('a subresource needs its own grant; "*" covers every resource of a group; the grant stops at the namespace', async () => {
    // Act
    const log = await get('/api/v1/namespaces/demo/pods/pinned/log', as(token));
    const status = await get('/api/v1/namespaces/demo/pods/pinned/status', as(token));
    const deployments = await get('/apis/apps/v1/namespaces/demo/deployments', as(token));
    const elsewhere = await get('/apis/apps/v1/namespaces/kube-system/deployments', as(token));
    // Assess
    expect(log.status).toBe(404);
    expect(status.status).toBe(403);
    expect(status.body.message).toContain('cannot get resource "pods/status"');
    expect(deployments.status).toBe(200);
    expect(elsewhere.body.message).toBe(
      `deployments.apps is forbidden: User "${AGENT}" cannot list resource "deployments" in API group "apps" in the namespace "kube-system"`
    );
  });

  it('a binding to a missing role denies with the lister error', async () => {
    // Prepare
    await applyObjects(sim.url, sim.adminToken, [
      rbac('RoleBinding', 'dangling', 'demo', {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'no-such-role' },
        subjects: [{ kind: 'ServiceAccount', name: 'agent', namespace: 'cortex' }]
      })
    ]);
    // Act
    const r = await get('/api/v1/namespaces/demo/configmaps', as(token));
    // Assess
    expect(r.body.message).toBe(
      `configmaps is forbidden: User "${AGENT}" cannot list resource "configmaps" in API group "" in the namespace "demo": RBAC: clusterrole.rbac.authorization.k8s.io "no-such-role" not found`
    );
  });
});

describe('Simulator: impersonation and reviews', () => {
  it('the admin impersonates the ServiceAccount (kubectl --as); the ServiceAccount may not impersonate anyone', async () => {
    // Act
    const asAgent = await get('/api/v1/namespaces/demo/services', asAdmin(sim, { 'Impersonate-User': AGENT }));
    const k = await kubectl(kc, ['get', 'pods', 'pinned', `--as=${AGENT}`]);
    const escalate = await get('/api/v1/namespaces/demo/services', as(token, { 'Impersonate-User': 'kubernetes-admin' }));
    // Assess
    expect(asAgent.status).toBe(403);
    expect(asAgent.body.message).toContain(`User "${AGENT}" cannot list resource "services"`);
    expect(k.stderr).toContain('pods "pinned" not found');
    expect(escalate.body.message).toBe(
      `users "kubernetes-admin" is forbidden: User "${AGENT}" cannot impersonate resource "users" in API group "" at the cluster scope`
    );
    expect(sim.audit().at(-1)).toMatchObject({ user: { username: AGENT }, responseStatus: { code: 403 } });
  });

  it('SelfSubjectAccessReview, SubjectAccessReview and LocalSubjectAccessReview answer from the same rules', async () => {
    // Prepare
    const attributes = { namespace: 'demo', verb: 'get', resource: 'pods', subresource: 'log', name: 'x' };
    // Act
    const self = await review(
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      { spec: { resourceAttributes: attributes } },
      as(token)
    );
    const sar = await review(
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      { spec: { user: AGENT, groups: ['system:serviceaccounts'], resourceAttributes: { ...attributes, verb: 'delete' } } },
      asAdmin(sim)
    );
    const local = await review(
      '/apis/authorization.k8s.io/v1/namespaces/kube-system/localsubjectaccessreviews',
      { spec: { user: AGENT, resourceAttributes: attributes } },
      asAdmin(sim)
    );
    const bySa = await review(
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      { spec: { user: 'x', resourceAttributes: attributes } },
      as(token)
    );
    // Assess
    expect(self).toMatchObject({
      status: 201,
      body: {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        spec: { resourceAttributes: attributes },
        status: {
          allowed: true,
          reason: `RBAC: allowed by RoleBinding "agent-one-pod/demo" of Role "one-pod" to ServiceAccount "agent/cortex"`
        }
      }
    });
    expect(sar.body.status).toEqual({
      allowed: false,
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "no-such-role" not found'
    });
    expect(local).toMatchObject({
      status: 400,
      body: { message: 'spec.resourceAttributes.namespace must match namespace: kube-system' }
    });
    expect(bySa.status).toBe(403);
  });

  it('a review without attributes is a 422; SelfSubjectRulesReview lists the rules of a namespace', async () => {
    // Act
    const empty = await review('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: {} }, as(token));
    const rules = await review(
      '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
      { spec: { namespace: 'demo' } },
      as(token)
    );
    // Assess
    expect(empty.body.message).toBe(
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified'
    );
    expect(rules.body.status['resourceRules']).toContainEqual({
      verbs: ['get', 'list', 'watch'],
      apiGroups: [''],
      resources: ['pods'],
      resourceNames: ['pinned']
    });
    expect(rules.body.status['evaluationError']).toContain('no-such-role');
  });
});
