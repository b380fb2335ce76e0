import { signed, TEST_KEY_ENV } from './signing.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudEvent } from 'cloudevents';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../local/kube-sim/index.js';
import { loadIdentities } from '../../local/stack/identities.js';
import { Events } from '../../shared/events/catalog.js';
import type { Action, CheckName } from '../../shared/events/schemas.js';
import type { AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { run, type RunningFunction } from '../../shared/runtime/run.js';
import { startFakeSink, type FakeSink } from '../fakes/sink.js';
import { postEvent } from './events.js';
import type { CompletedData as CheckCompleted } from './check-cluster.js';
import type { CompletedData as RemediationCompleted } from './remediation-cluster.js';

/*
 * Functions served over real HTTP against the cluster simulator, each as its own ServiceAccount with the RBAC that
 * knative/ renders (as the local stack runs them), and requests posted to them the way the broker delivers them.
 */

export interface ServiceAccountCluster {
  sim: Simulator;
  sink: FakeSink;
  served: Map<string, RunningFunction>;
  stop(): Promise<void>;
}

export async function startAsServiceAccounts(
  defs: readonly AnyFunctionDef[],
  opts: { sim?: SimulatorOptions; env?: Record<string, string> } = {}
): Promise<ServiceAccountCluster> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cortex-as-sa-'));
  const sim = await startSimulator({ seed: 'demo', ...opts.sim });
  const sink = await startFakeSink();
  const identities = await loadIdentities({
    sim,
    knativeDir: 'knative',
    stateDir: dir,
    namespace: 'cortex',
    functions: defs.map((d) => d.name)
  });
  const served = new Map<string, RunningFunction>();
  for (const def of defs) {
    const overrides = {
      PORT: '0',
      HOST: '127.0.0.1',
      K_SINK: sink.url,
      POD_NAMESPACE: 'cortex',
      CORTEX_LOG_LEVEL: 'silent',
      KUBECONFIG: identities.kubeconfigFor(def.name),
      ...TEST_KEY_ENV,
      ...opts.env
    };
    served.set(def.name, await run(def, { overrides }));
  }
  return {
    sim,
    sink,
    served,
    async stop() {
      await Promise.all([...served.values()].map((f) => f.stop()));
      await sink.close();
      await sim.stop();
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/** One grant of a function's role: a verb on a resource of an API group. */
export type Grant = { group: string; resource: string; verb: string };

/** The grants a function declares (its kube needs), one per verb. */
export const grantsOf = (def: AnyFunctionDef): Grant[] =>
  (def.kube ?? []).flatMap((n) =>
    n.apiGroups.flatMap((group) => n.resources.flatMap((resource) => n.verbs.map((verb) => ({ group, resource, verb }))))
  );

export const grantLabel = (g: Grant): string => `${g.group}/${g.resource}:${g.verb}`;

/** What the API server says when the grant is missing (in the namespace `demo`). */
export const forbiddenWords = (fn: string, g: Grant): string =>
  `User "system:serviceaccount:cortex:${fn}" cannot ${g.verb} resource "${g.resource}" in API group "${g.group}" in the namespace "demo"`;

/** Replaces the function's ClusterRole (as an operator would with kubectl replace) with these grants. */
export async function setRole(c: ServiceAccountCluster, fn: string, grants: readonly Grant[]): Promise<void> {
  const role = c.sim.get('ClusterRole', undefined, `cortex-${fn}`)!;
  const rules = grants.map((g) => ({ apiGroups: [g.group], resources: [g.resource], verbs: [g.verb] }));
  const res = await fetch(`${c.sim.url}/apis/rbac.authorization.k8s.io/v1/clusterroles/cortex-${fn}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${c.sim.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...role, metadata: { ...role.metadata, resourceVersion: '' }, rules })
  });
  if (res.status !== 200) throw new Error(`replacing cortex-${fn}: ${res.status} ${await res.text()}`);
}

let counter = 0;

/** Posts a remediation request (binary mode); the HTTP status and the remediation.completed it published. */
export async function requestRemediation(
  c: ServiceAccountCluster,
  fn: string,
  action: Action,
  service: string,
  o: { dryRun?: boolean; params?: Record<string, unknown> } = {}
): Promise<{ status: number; out: RemediationCompleted | undefined }> {
  const n = ++counter;
  const healingId = `h-sa-${n}`;
  const event = new CloudEvent<unknown>({
    specversion: '1.0',
    id: `req-sa-${n}`,
    source: '/cortex/healing-coordinator',
    type: Events.RemediationRequested[action].type,
    datacontenttype: 'application/json',
    // Signed as the coordinator signs it: remediations take nothing else
    data: signed('remediation', Events.RemediationRequested[action].type, {
      healingId,
      target: { namespace: 'demo', service },
      params: o.params ?? {},
      dryRun: o.dryRun ?? false
    })
  });
  const res = await postEvent(c.served.get(fn)!.url, event, 'binary');
  const found = c.sink.events.find((e) => (e.data as { healingId?: string } | undefined)?.healingId === healingId);
  return { status: res.status, out: found ? Events.RemediationCompleted.data.parse(found.data) : undefined };
}

/** Posts a diagnosis request for one check (binary mode); the HTTP status and the diagnosis.completed it published. */
export async function requestDiagnosis(
  c: ServiceAccountCluster,
  fn: string,
  service: string,
  phase: 'diagnose' | 'verify' = 'diagnose'
): Promise<{ status: number; out: CheckCompleted | undefined }> {
  const n = ++counter;
  const healingId = `h-sa-${n}`;
  const check = fn.replace(/^check-/, '') as CheckName;
  const event = new CloudEvent<unknown>({
    specversion: '1.0',
    id: `dr-sa-${n}`,
    source: '/cortex/healing-coordinator',
    type: Events.DiagnosisRequested.type,
    datacontenttype: 'application/json',
    data: signed('diagnosis', Events.DiagnosisRequested.type, {
      healingId,
      target: { namespace: 'demo', service },
      phase,
      checks: [check]
    })
  });
  const res = await postEvent(c.served.get(fn)!.url, event, 'binary');
  const found = c.sink.events.find((e) => (e.data as { healingId?: string } | undefined)?.healingId === healingId);
  return { status: res.status, out: found ? Events.DiagnosisCompleted.data.parse(found.data) : undefined };
}
