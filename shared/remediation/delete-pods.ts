import type { KubePort, Pod } from '../kube/port.js';
import type { Step } from './remediate.js';

/** Pods one request deletes at most; the rest wait for the next healing, which re-reads the cluster. */
export const MAX_POD_DELETES = 50;

export interface PodDeletion {
  steps: Step[];
  /** The pods this request deletes, in order. */
  names: string[];
  /** Matching pods left for a later request (over MAX_POD_DELETES). */
  left: number;
  /** The kubectl command that does the same by hand. */
  command: string;
}

/**
 * The steps that delete the given pods one by one (a pod already gone is noted, not an error).
 *
 * @example
 * const { steps, command } = podDeletion(ctx.kube, 'demo', crashing, (p) => 'CrashLoopBackOff');
 */
export function podDeletion(
  kube: KubePort,
  namespace: string,
  pods: readonly Pod[],
  describe: (pod: Pod) => string
): PodDeletion {
  const chosen = pods.slice(0, MAX_POD_DELETES).filter((p) => p.metadata?.name);
  const names = chosen.map((p) => p.metadata!.name!);
  const steps: Step[] = chosen.map((pod, i) => ({
    change: { verb: 'delete', object: `pods/${names[i]}`, detail: describe(pod) },
    async run(opts) {
      return (await kube.deletePod(namespace, names[i]!, opts)) ? undefined : 'already gone';
    }
  }));
  return {
    steps,
    names,
    left: pods.length - chosen.length,
    command: `kubectl delete pod -n ${namespace} ${names.join(' ')}`
  };
}
