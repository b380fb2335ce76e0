import * as z from 'zod';
import type { Pod } from '../../shared/kube/port.js';
import { podDeletion } from '../../shared/remediation/delete-pods.js';
import { isFailed } from '../../shared/remediation/pods.js';
import type { Plan, Subject } from '../../shared/remediation/remediate.js';
import { plural, type RemediationRequest } from '../../shared/remediation/outcome.js';
import type { Ctx } from '../../shared/runtime/define-function.js';

/** `params.pods`: the failed pods the diagnosis saw; ignored when malformed. */
const Params = z.object({ pods: z.array(z.string()).optional().catch(undefined) });

const failedDetail = (pod: Pod): string => `phase Failed${pod.status?.reason ? `, reason ${pod.status.reason}` : ''}`;

/**
 * Deletes the workload's pods in phase Failed (evicted ones included), as listed now. Running pods are never
 * touched; pods named by the request count only if they are still Failed.
 */
export async function planCleanupFailedPods(subject: Subject, request: RemediationRequest, { kube }: Ctx): Promise<Plan> {
  const { namespace, name, selector } = subject;
  const where = `deployment ${namespace}/${name}`;
  const pods = selector ? await kube.listPods(namespace, { labelSelector: selector }) : [];
  const asked = Params.parse(request.params).pods;
  const failed = pods.filter((p) => isFailed(p) && (!asked || asked.includes(p.metadata?.name ?? '')));
  if (failed.length === 0) {
    const scope = asked
      ? `none of the requested pods (${asked.join(', ') || 'none'})`
      : `no pod of ${where} (${plural(pods.length, 'pod')})`;
    return { kind: 'noop', summary: `${scope} is in phase Failed now: nothing to clean up` };
  }
  const { steps, names, left, command } = podDeletion(kube, namespace, failed, failedDetail);
  const tail = left ? `; ${left} more wait for the next request` : '';
  const what = `${plural(names.length, 'failed pod')} of ${where} (${names.join(', ')})`;
  return {
    kind: 'act',
    summary: `deleted ${what}${tail}`,
    dryRunSummary: `dry run: would delete ${what}; nothing was changed${tail}`,
    steps,
    manualSteps: [command, `kubectl get pods -n ${namespace} -l ${selector} --field-selector=status.phase=Failed`]
  };
}
