import { FAULT_ANNOTATION, type Fault, type KubeObject, type Simulator } from '../../local/kube-sim/index.js';
import { workload as workloadPair } from '../../local/kube-sim/seed.js';
import { applyObjects } from '../../local/kube-sim/apply.js';
import { readRbacManifests } from '../../local/stack/identities.js';
import type { SetupStep, Workload } from './scenario.js';
import { OPT_IN_LABEL, OPT_IN_VALUE } from '../../shared/policy/guardrails.js';

/*
 * The harness's hands on the simulated cluster. It writes through the API as the cluster admin, as an operator with
 * kubectl would, so the audit log tells its setup apart from what Cortex's functions do; it reads in process.
 * Every step waits until the cluster shows its effect, so a scenario's report describes a fault that is really there.
 */

const SETTLE_MS = 30_000;

type PodView = {
  metadata: { deletionTimestamp?: string };
  status?: {
    phase?: string;
    reason?: string;
    containerStatuses?: Array<{
      ready?: boolean;
      state?: { waiting?: { reason?: string } };
      lastState?: { terminated?: { reason?: string } };
    }>;
  };
};

export const key = (w: Workload): string => `${w.namespace}/${w.name}`;

async function write(sim: Simulator, method: string, path: string, body: unknown, type = 'application/json') {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'Content-Type': type, Authorization: `Bearer ${sim.adminToken}` },
    body: JSON.stringify(body)
  });
  const text = await res.text();
  if (!res.ok && !(res.status === 409 && method === 'POST'))
    throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
}

/** The workload's pods that are not being deleted. */
export function livePods(sim: Simulator, w: Workload): PodView[] {
  return (sim.list('Pod', w.namespace, `app=${w.name}`) as unknown as PodView[]).filter(
    (p) => !p.metadata.deletionTimestamp
  );
}

const waiting = (p: PodView): string => p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? '';
const ready = (p: PodView): boolean =>
  p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.ready === true);
const evicted = (p: PodView): boolean => p.status?.reason === 'Evicted';

export function desiredReplicas(sim: Simulator, w: Workload): number | undefined {
  return (sim.get('Deployment', w.namespace, w.name) as KubeObject | undefined)?.spec?.['replicas'] as number | undefined;
}

/** True once the workload's live pods are all Ready and as many as it wants (and none are Evicted leftovers of its own making). */
export function healthy(sim: Simulator, w: Workload): boolean {
  const pods = livePods(sim, w).filter((p) => !evicted(p));
  return pods.length === (desiredReplicas(sim, w) ?? 1) && pods.every(ready);
}

/** What shows that a fault took effect on the workload. */
function shows(sim: Simulator, w: Workload, fault: Fault): boolean {
  const pods = livePods(sim, w);
  switch (fault) {
    case 'crashloop':
    case 'crashloop-transient':
      return pods.some((p) => waiting(p) === 'CrashLoopBackOff');
    case 'oom':
      return pods.some((p) => p.status?.containerStatuses?.[0]?.lastState?.terminated?.reason === 'OOMKilled');
    case 'image-pull':
      return pods.some((p) => /ImagePull/.test(waiting(p)));
    case 'not-ready':
      return pods.length > 0 && pods.every((p) => p.status?.phase === 'Running' && !ready(p));
    case 'endpoints-stale': {
      const ep = sim.get('Endpoints', w.namespace, w.name) as { subsets?: unknown[] } | undefined;
      return healthy(sim, w) && !ep?.subsets?.length;
    }
    case 'evicted':
      return pods.some(evicted) && healthy(sim, w);
    case 'network-block':
      return sim.get('NetworkPolicy', w.namespace, `${w.name}-sim-deny-all`) !== undefined;
  }
}

const currentFaults = (sim: Simulator, w: Workload): string[] =>
  ((sim.get('Deployment', w.namespace, w.name)?.metadata.annotations ?? {})[FAULT_ANNOTATION] ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);

/**
 * Lets Cortex's functions work in `namespace` as knative/targets/demo lets them in demo (the operator's
 * `kubectl apply -k knative/targets/<namespace>`), so what a scenario there shows is Cortex's own judgement (its
 * guardrails in a protected namespace), not a 403.
 */
async function bindCortex(sim: Simulator, namespace: string): Promise<void> {
  if (namespace === 'demo') return;
  const bindings = (await readRbacManifests('knative/targets/demo')).map((o) => ({
    ...o,
    metadata: { ...o.metadata, namespace }
  }));
  await applyObjects(sim.url, sim.adminToken, bindings);
}

/** Runs one setup step and waits until the cluster shows it. */
export async function apply(sim: Simulator, step: SetupStep): Promise<void> {
  const w = step.workload;
  const base = `/apis/apps/v1/namespaces/${w.namespace}/deployments`;
  const wait = (what: string, probe: () => boolean) =>
    sim.waitFor(probe, { timeoutMs: SETTLE_MS, message: `${key(w)}: ${what}` });
  switch (step.kind) {
    case 'create': {
      await write(sim, 'POST', '/api/v1/namespaces', { metadata: { name: w.namespace } });
      await bindCortex(sim, w.namespace);
      const { deployment, service } = workloadPair({
        name: w.name,
        namespace: w.namespace,
        image: `ghcr.io/cortex-demo/${w.name}:1.0.0`,
        port: 8080,
        replicas: step.replicas ?? 1,
        selfHeal: step.selfHeal
      });
      await write(sim, 'POST', base, deployment);
      await write(sim, 'POST', `/api/v1/namespaces/${w.namespace}/services`, service);
      return void (await wait('ready', () => healthy(sim, w)));
    }
    case 'scale':
      await write(
        sim,
        'PATCH',
        `${base}/${w.name}/scale`,
        { spec: { replicas: step.replicas } },
        'application/merge-patch+json'
      );
      return void (await wait(`${step.replicas} pods`, () =>
        step.replicas === 0 ? sim.list('Pod', w.namespace, `app=${w.name}`).length === 0 : healthy(sim, w)
      ));
    case 'opt-in':
      return write(
        sim,
        'PATCH',
        `${base}/${w.name}`,
        { metadata: { labels: { [OPT_IN_LABEL]: step.enabled ? OPT_IN_VALUE : null } } },
        'application/merge-patch+json'
      );
    case 'until':
      return void (await wait(step.shows, () => shows(sim, w, step.shows)));
    case 'meta':
      return write(
        sim,
        'PATCH',
        `${base}/${w.name}`,
        { metadata: { labels: step.labels ?? {}, annotations: step.annotations ?? {} } },
        'application/merge-patch+json'
      );
    case 'fault': {
      const before = currentFaults(sim, w);
      const value = step.faults.length ? step.faults.join(',') : null;
      await write(
        sim,
        'PATCH',
        `${base}/${w.name}`,
        { metadata: { annotations: { [FAULT_ANNOTATION]: value } } },
        'application/merge-patch+json'
      );
      const added = step.faults.filter((f) => !before.includes(f));
      return void (await wait(`fault ${added.join(',') || 'cleared'} showing`, () =>
        added.length ? added.every((f) => shows(sim, w, f)) : true
      ));
    }
  }
}
