import type { Simulator } from './index.js';
import { workload } from './seed.js';

/*
 * Creating workloads on a running simulator the way a client does: through its API, as its admin. Tests and benches
 * set up their scenarios with it.
 */

export interface WorkloadOptions {
  replicas?: number;
  namespace?: string;
  image?: string;
  /** The Deployment's name when it differs from the Service's (still labelled app=<name>, so the Service selects it). */
  deployment?: string;
  /** Labelled for self-healing (cortex.dev/self-heal=enabled); default true. */
  selfHeal?: boolean;
}

/**
 * Creates a Deployment + Service pair (label app=<name>) through the API, as a client would.
 *
 * @example
 * await createWorkload(sim, 'lp-crash', { replicas: 1, deployment: 'lp-crash-server' });
 */
export async function createWorkload(sim: Simulator, name: string, opts: WorkloadOptions = {}): Promise<void> {
  const namespace = opts.namespace ?? 'demo';
  const { deployment, service } = workload({
    name,
    namespace,
    image: opts.image ?? `ghcr.io/cortex-demo/${name}:1.0.0`,
    port: 3000,
    replicas: opts.replicas ?? 1,
    selfHeal: opts.selfHeal ?? true
  });
  if (opts.deployment) deployment.metadata = { ...deployment.metadata, name: opts.deployment };
  for (const [path, body] of [
    [`/apis/apps/v1/namespaces/${namespace}/deployments`, deployment],
    [`/api/v1/namespaces/${namespace}/services`, service]
  ] as const) {
    const res = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sim.adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    });
    if (res.status !== 201) throw new Error(`creating ${path} answered ${res.status}: ${await res.text()}`);
  }
}
