import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FUNCTION_NAMES } from '../../../../functions/index.js';
import { startSimulator, type Simulator } from '../../../../local/kube-sim/index.js';
import { loadIdentities, type Identities } from '../../../../local/stack/identities.js';
import { createKubePort } from '../../../../shared/kube/client-node.js';
import { ForbiddenError } from '../../../../shared/runtime/errors.js';

/*
 * The local stack's identities: knative/'s RBAC loaded into the simulator, one kubeconfig per function with its own
 * ServiceAccount token, checked through the same client-node adapter the functions use.
 */

let sim: Simulator;
let dir: string;
let identities: Identities;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cortex-identities-'));
  sim = await startSimulator({ seed: 'demo', podStartMs: 0 });
  identities = await loadIdentities({
    sim,
    knativeDir: 'knative',
    stateDir: dir,
    namespace: 'cortex',
    targetNamespace: 'demo',
    functions: FUNCTION_NAMES
  });
});

afterAll(async () => {
  await sim?.stop();
  await rm(dir, { recursive: true, force: true });
});

const portOf = (fn: string) => createKubePort({ kubeconfigPath: identities.kubeconfigFor(fn), timeoutMs: 5_000 });

describe('Local stack: each function acts as its own ServiceAccount', () => {
  it('loads the ServiceAccounts, ClusterRoles and the RoleBindings of knative/targets/demo', () => {
    // Act
    const accounts = sim.list('ServiceAccount', 'cortex').map((a) => a.metadata.name);
    const bindings = sim.list('RoleBinding', 'demo').map((b) => b.metadata.name);
    // Assess
    expect(accounts).toEqual(expect.arrayContaining([...FUNCTION_NAMES]));
    expect(sim.get('ClusterRole', undefined, 'cortex-check-pod-status')).toBeDefined();
    expect(bindings).toContain('cortex-remediate-restart-pods');
  });

  it('a check reads where it is bound, and is refused with the API server words elsewhere', async () => {
    // Prepare
    const kube = portOf('check-pod-status');
    // Act
    const pods = await kube.listPods('demo');
    const elsewhere = await kube.listPods('kube-system').catch((e: unknown) => e);
    // Assess
    expect(pods.length).toBeGreaterThan(0);
    expect(elsewhere).toBeInstanceOf(ForbiddenError);
    expect((elsewhere as Error).message).toBe(
      'listing pods in kube-system failed: 403 pods is forbidden: User "system:serviceaccount:cortex:check-pod-status" cannot list resource "pods" in API group "" in the namespace "kube-system"'
    );
    expect(sim.audit().filter((e) => e.user.username === 'system:serviceaccount:cortex:check-pod-status').length).toBe(2);
  });

  it('a function with no Kubernetes needs holds no token: to the API it is anonymous', async () => {
    // Prepare
    const kubeconfig = parse(await readFile(identities.kubeconfigFor('chat'), 'utf8')) as {
      users: Array<{ user: Record<string, unknown> }>;
    };
    // Act
    const refused = await portOf('chat')
      .listPods('demo')
      .catch((e: unknown) => e);
    // Assess
    expect(kubeconfig.users[0]!.user).toEqual({});
    expect((refused as Error).message).toContain('User "system:anonymous" cannot list resource "pods"');
  });

  it('a remediation may evict pods in demo but not delete them', async () => {
    // Prepare
    const kube = portOf('remediate-restart-pods');
    const pod = sim.list('Pod', 'demo', 'app=legacy-api')[0]!.metadata.name;
    // Act
    const deleted = await kube.deletePod('demo', pod, { dryRun: true }).catch((e: unknown) => e);
    const evicted = await kube.evictPod('demo', pod, { dryRun: true });
    // Assess
    expect((deleted as Error).message).toContain(
      'User "system:serviceaccount:cortex:remediate-restart-pods" cannot delete resource "pods" in API group "" in the namespace "demo"'
    );
    expect(evicted).toEqual({ outcome: 'evicted' });
    expect(sim.writes().slice(-2)).toMatchObject([
      { user: 'system:serviceaccount:cortex:remediate-restart-pods', verb: 'delete', resource: 'pods', code: 403 },
      {
        user: 'system:serviceaccount:cortex:remediate-restart-pods',
        verb: 'create',
        resource: 'pods/eviction',
        code: 201,
        dryRun: true
      }
    ]);
  });
});
