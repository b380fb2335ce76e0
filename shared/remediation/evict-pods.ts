import { openChanges, pollUntil } from '../diagnosis/wait.js';
import type { EvictionResult, KubePort, Pod, WatchTarget } from '../kube/port.js';
import type { Clock } from '../runtime/clock.js';
import { MAX_POD_DELETES } from './delete-pods.js';
import type { Step } from './remediate.js';

/*
 * Pod restarts through the Eviction API, one pod at a time, so the workload's PodDisruptionBudget decides each one.
 * A refusal is never answered with a delete. When the budget refuses the first pod, nothing happens and the outcome
 * says why. When it refuses a later one, Cortex's own earlier eviction used it up: the restart waits (bounded) for
 * the replacement to become ready and the budget to allow the next, and reports what it could not do in time.
 * That wait follows the namespace's PodDisruptionBudgets with a watch (the API server decides an eviction by the
 * budget's status, which the disruption controller rewrites as pods turn Ready): the next attempt goes out as soon as a
 * budget changes, with `pollMs` as the safety net when nothing does (or the watch cannot open).
 */

/** A PodDisruptionBudget refused an eviction: a clear outcome for a human, not an error to retry. */
export class DisruptionBudgetError extends Error {
  constructor(
    readonly summary: string,
    readonly manualSteps: string[]
  ) {
    super(summary);
    this.name = 'DisruptionBudgetError';
  }
}

export interface EvictionLimits {
  clock: Clock;
  /** How long to wait for a budget that an earlier eviction of this restart used up. */
  waitMs: number;
  pollMs: number;
}

export interface PodEviction {
  steps: Step[];
  names: string[];
  /** Matching pods left for a later request (over MAX_POD_DELETES). */
  left: number;
  /** The API calls that do the same by hand (an eviction, unlike `kubectl delete pod`, respects the budget). */
  commands: string[];
}

/** What a wait for a spent budget watches: the budgets of the namespace (their status decides the next eviction). */
const BUDGET_WATCH: readonly WatchTarget[] = [{ kind: 'poddisruptionbudgets' }];

/** kubectl 1.20 has no evict command; `create --raw` posts the Eviction a client library would. */
export const evictCommand = (namespace: string, pod: string): string =>
  `kubectl create --raw /api/v1/namespaces/${namespace}/pods/${pod}/eviction -f - <<< '${JSON.stringify({
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name: pod, namespace }
  })}'`;

/**
 * The steps that evict the given pods one by one (`what` names them in sentences, e.g. "crashlooping pod";
 * `subject` the workload, e.g. "deployment demo/api").
 *
 * @example
 * const { steps } = podEviction(ctx.kube, 'demo', crashing, crashDetail, limits, { what: 'crashlooping pod', subject: 'deployment demo/api', selector: 'app=api' });
 */
export function podEviction(
  kube: KubePort,
  namespace: string,
  pods: readonly Pod[],
  describe: (pod: Pod) => string,
  limits: EvictionLimits,
  words: { what: string; subject: string; selector: string | undefined }
): PodEviction {
  const chosen = pods.slice(0, MAX_POD_DELETES).filter((p) => p.metadata?.name);
  const names = chosen.map((p) => p.metadata!.name!);
  const evicted: string[] = [];

  function refused(index: number, reason: string, waitedMs: number, dryRun: boolean): DisruptionBudgetError {
    const rest = names.slice(index);
    const would = dryRun ? 'dry run: ' : '';
    const waited = waitedMs >= 1000 ? `${Math.round(waitedMs / 1000)}s` : `${waitedMs}ms`;
    const summary =
      evicted.length === 0
        ? `${would}the PodDisruptionBudget of ${words.subject} blocks evicting its ${words.what}s (${rest.join(', ')}): ${reason}; nothing was ${dryRun ? 'changed' : 'deleted'}`
        : `${would}restarted ${evicted.length} of ${names.length} ${words.what}s of ${words.subject} (${evicted.join(', ')}); the PodDisruptionBudget blocks the rest (${rest.join(', ')})${waitedMs > 0 ? ` after waiting ${waited}` : ''}: ${reason}`;
    return new DisruptionBudgetError(summary, [
      `See what the budget allows now: kubectl get poddisruptionbudgets -n ${namespace}`,
      `See which pods it counts as healthy: kubectl get pods -n ${namespace}${words.selector ? ` -l ${words.selector}` : ''}`,
      `Once the budget allows a disruption, evict the rest: ${rest.map((n) => evictCommand(namespace, n)).join('; ')}`,
      `If unready pods should not count against the budget, set spec.unhealthyPodEvictionPolicy: AlwaysAllow on the workload's PodDisruptionBudget.`,
      `Deleting the pods (kubectl delete pod -n ${namespace} ${rest.join(' ')}) bypasses the budget: do it only if that disruption is acceptable.`
    ]);
  }

  const steps: Step[] = chosen.map((pod, i) => ({
    change: { verb: 'evict', object: `pods/${names[i]}`, detail: describe(pod) },
    async run(opts) {
      const attempt = (): Promise<EvictionResult> => kube.evictPod(namespace, names[i]!, opts);
      let result = await attempt();
      let waitedMs = 0;
      // Only Cortex's own eviction, moments ago, can have used the budget up: the replacement will give it back.
      if (result.outcome === 'blocked' && evicted.length > 0 && limits.waitMs > 0) {
        const started = limits.clock.now().getTime();
        const until = new Date(started + limits.waitMs);
        // Opened after the refusal: the attempt right after it opens sees any change the budget had before.
        const changes = await openChanges(kube, namespace, BUDGET_WATCH);
        try {
          ({ result } = await pollUntil(attempt, (r) => r.outcome !== 'blocked', {
            clock: limits.clock,
            until,
            intervalMs: limits.pollMs,
            changes
          }));
        } finally {
          changes?.close();
        }
        // A refusal after the wait means the whole bound passed (a test's clock may not move at all).
        waitedMs = result.outcome === 'blocked' ? limits.waitMs : Math.max(1, limits.clock.now().getTime() - started);
      }
      if (result.outcome === 'blocked') throw refused(i, result.reason, waitedMs, opts.dryRun === true);
      if (result.outcome === 'gone') return 'already gone';
      evicted.push(names[i]!);
      return waitedMs > 0 ? 'waited for the disruption budget' : undefined;
    }
  }));
  return { steps, names, left: pods.length - chosen.length, commands: names.map((n) => evictCommand(namespace, n)) };
}
