import * as z from 'zod';
import type { Pod } from '../../shared/kube/port.js';
import { podEviction } from '../../shared/remediation/evict-pods.js';
import { isCrashLooping } from '../../shared/remediation/pods.js';
import type { Plan, RemediationCtx, Subject } from '../../shared/remediation/remediate.js';
import { plural, type RemediationRequest } from '../../shared/remediation/outcome.js';

/** `params.pods`: the pods the diagnosis saw crashlooping; ignored when malformed. */
const Params = z.object({ pods: z.array(z.string()).optional().catch(undefined) });

function crashDetail(pod: Pod): string {
  const containers = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const worst = containers.reduce((a, c) => ((c.restartCount ?? 0) >= (a?.restartCount ?? -1) ? c : a), containers[0]);
  const state =
    worst?.state?.waiting?.reason ?? (worst?.state?.running ? 'Running' : worst?.state?.terminated?.reason) ?? 'unknown';
  return `container ${worst?.name ?? '?'}: ${state}, ${worst?.restartCount ?? 0} restarts`;
}

/**
 * Evicts the workload's pods that crashloop NOW, one at a time through the Eviction API, so their ReplicaSet starts
 * fresh ones and the workload's PodDisruptionBudget is respected. Pods named by the request count only if they still
 * crashloop; a pod that recovered is left alone.
 */
export async function planRestartPods(
  subject: Subject,
  request: RemediationRequest,
  { kube, clock, deps }: RemediationCtx
): Promise<Plan> {
  const { namespace, name, selector } = subject;
  const where = `deployment ${namespace}/${name}`;
  const pods = selector ? await kube.listPods(namespace, { labelSelector: selector }) : [];
  const now = clock.now();
  const asked = Params.parse(request.params).pods;
  const crashing = pods.filter((p) => isCrashLooping(p, now) && (!asked || asked.includes(p.metadata?.name ?? '')));
  if (crashing.length === 0) {
    const scope = asked
      ? `none of the requested pods (${asked.join(', ') || 'none'})`
      : `no pod of ${where} (${plural(pods.length, 'pod')})`;
    return { kind: 'noop', summary: `${scope} is crashlooping now: nothing to restart` };
  }
  const limits = { clock, ...deps.eviction };
  const words = { what: 'crashlooping pod', subject: where, selector };
  const { steps, names, left, commands } = podEviction(kube, namespace, crashing, crashDetail, limits, words);
  const skipped = asked ? asked.filter((n) => !names.includes(n)) : [];
  const notes = [
    skipped.length ? `left alone, not crashlooping now: ${skipped.join(', ')}` : '',
    left ? `${left} more crashlooping pods wait for the next request` : ''
  ].filter(Boolean);
  const what = `${plural(names.length, 'crashlooping pod')} of ${where} (${names.join(', ')})`;
  const tail = notes.length ? `; ${notes.join('; ')}` : '';
  return {
    kind: 'act',
    summary: `evicted ${what}, one at a time; the ReplicaSet replaces them${tail}`,
    dryRunSummary: `dry run: would evict ${what}; nothing was changed${tail}`,
    steps,
    manualSteps: [...commands, `kubectl get pods -n ${namespace} -l ${selector} -w`]
  };
}
