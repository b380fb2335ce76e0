import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../local/kube-sim/index.js';
import { workload } from '../../local/kube-sim/seed.js';

/*
 * A simulator for an end-to-end test file: random port, demo seed, compressed time, and a kubeconfig in a temp dir.
 */

export const FAST_TIMING: SimulatorOptions = {
  podStartMs: 150,
  backoffBaseMs: 400,
  crashAfterMs: 300,
  crashHoldMs: 300,
  terminationMs: 300
};

export async function startTestSimulator(opts: SimulatorOptions = {}): Promise<{ sim: Simulator; kubeconfig: string }> {
  const sim = await startSimulator({ seed: 'demo', ...FAST_TIMING, ...opts });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kube-sim-'));
  const kubeconfig = await sim.writeKubeconfig(path.join(dir, 'kubeconfig.yaml'));
  return { sim, kubeconfig };
}

/** Headers of a request as the simulator's admin (what the test kubeconfig holds), plus `extra`. */
export const asAdmin = (sim: Simulator, extra: Record<string, string> = {}): Record<string, string> => ({
  Authorization: `Bearer ${sim.adminToken}`,
  ...extra
});

/** Names of the demo pods of a workload (label app=<name>) that are not terminating. */
export function livePods(sim: Simulator, app: string, namespace = 'demo'): string[] {
  return sim
    .list('Pod', namespace, `app=${app}`)
    .filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => p.metadata.name);
}

/** Creates a Deployment + Service pair (label app=<name>) through the API, as a client would. */
export async function createWorkload(
  sim: Simulator,
  name: string,
  opts: { replicas?: number; namespace?: string; image?: string; deployment?: string } = {}
): Promise<void> {
  const namespace = opts.namespace ?? 'demo';
  const { deployment, service } = workload({
    name,
    namespace,
    image: opts.image ?? `ghcr.io/cortex-demo/${name}:1.0.0`,
    port: 3000,
    replicas: opts.replicas ?? 1,
    selfHeal: true
  });
  // A Deployment named apart from its Service (still labelled app=<name>, so the Service selects its pods)
  if (opts.deployment) deployment.metadata = { ...deployment.metadata, name: opts.deployment };
  for (const [path, body] of [
    [`/apis/apps/v1/namespaces/${namespace}/deployments`, deployment],
    [`/api/v1/namespaces/${namespace}/services`, service]
  ] as const) {
    const res = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: asAdmin(sim, { 'Content-Type': 'application/json' }),
      body: JSON.stringify(body)
    });
    if (res.status !== 201) throw new Error(`creating ${path} answered ${res.status}: ${await res.text()}`);
  }
}
