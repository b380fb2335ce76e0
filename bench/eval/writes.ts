import type { WriteRecord } from '../../local/kube-sim/index.js';
import type { WriteCount } from './score.js';

/*
 * Kubernetes writes as the eval counts them: what the simulator's write audit heard from anyone but the harness
 * (whose setup writes carry HARNESS_USER), accepted by the API server (2xx), dry runs apart. The audit names users by
 * their credential, so once the simulator authenticates each function's ServiceAccount, `byUser` says which
 * function wrote what without any change here.
 */

/** The user the harness's writes carry (its bearer token). */
export const HARNESS_USER = 'cortex-eval-harness';

export function countWrites(records: readonly WriteRecord[]): WriteCount {
  const ok = records.filter((w) => w.user !== HARNESS_USER && w.code >= 200 && w.code < 300);
  const real = ok.filter((w) => !w.dryRun);
  const byUser: Record<string, number> = {};
  for (const w of real) byUser[w.user] = (byUser[w.user] ?? 0) + 1;
  return {
    count: real.length,
    dryRun: ok.length - real.length,
    list: real.map((w) => `${w.verb} ${w.resource}${w.subresource ? `/${w.subresource}` : ''}/${w.name ?? '*'}`),
    byUser
  };
}
