import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../local/kube-sim/index.js';

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

export { createWorkload } from '../../local/kube-sim/workload-client.js';
