import type { AuditedWrite } from '../../local/kube-sim/index.js';
import type { WriteCount } from './score.js';

/*
 * Kubernetes writes as the eval counts them: what the simulator's audit log heard from Cortex's functions, each
 * acting as its own ServiceAccount in the cortex namespace (the local stack gives every function its own token),
 * accepted by the API server (2xx), dry runs apart. The harness writes as the cluster admin, like an operator with
 * kubectl, so its setup never counts; nor do the controllers, which write to the store directly.
 */

/** The users Cortex's functions act as: `system:serviceaccount:cortex:<function>`. */
export const CORTEX_USER_PREFIX = 'system:serviceaccount:cortex:';

export function countWrites(records: readonly AuditedWrite[]): WriteCount {
  const ok = records.filter((w) => w.user.startsWith(CORTEX_USER_PREFIX) && w.code >= 200 && w.code < 300);
  const real = ok.filter((w) => !w.dryRun);
  const byUser: Record<string, number> = {};
  for (const w of real) {
    const fn = w.user.slice(CORTEX_USER_PREFIX.length);
    byUser[fn] = (byUser[fn] ?? 0) + 1;
  }
  return {
    count: real.length,
    dryRun: ok.length - real.length,
    list: real.map((w) => `${w.verb} ${w.resource}/${w.name ?? '*'}`),
    byUser
  };
}
