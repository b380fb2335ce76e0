import * as z from 'zod';
import { oomKilledContainers } from '../../shared/remediation/pods.js';
import { formatMemory, parseMemory } from '../../shared/kube/quantity.js';
import type { Plan, Subject } from '../../shared/remediation/remediate.js';
import { plural, type RemediationRequest } from '../../shared/remediation/outcome.js';
import type { Ctx } from '../../shared/runtime/define-function.js';

/** The limit suggested when the container has neither a memory limit nor a request to start from. */
export const DEFAULT_SUGGESTED_LIMIT = '512Mi';

const Params = z.object({
  container: z.string().optional().catch(undefined),
  suggestedLimit: z.string().optional().catch(undefined)
});

type Resources = { limits?: Record<string, string>; requests?: Record<string, string> };

/** The new memory limit: the request's suggestion when it raises the limit, else twice the limit (or request). */
export function suggestLimit(resources: Resources, suggested: string | undefined): { limit: string; basis: string } {
  const limit = parseMemory(resources.limits?.memory);
  const request = parseMemory(resources.requests?.memory);
  const wanted = parseMemory(suggested);
  if (wanted !== undefined && (limit === undefined || wanted > limit))
    return { limit: suggested!.trim(), basis: 'suggested by the diagnosis' };
  if (limit !== undefined)
    return { limit: formatMemory(limit * 2), basis: `twice the current limit ${resources.limits!.memory}` };
  if (request !== undefined)
    return {
      limit: formatMemory(request * 2),
      basis: `twice the memory request ${resources.requests!.memory} (no limit set)`
    };
  return { limit: DEFAULT_SUGGESTED_LIMIT, basis: 'a starting point: the container has no memory limit or request' };
}

/**
 * A plan for a human to give an OOM-killed container more memory. Nothing is changed: a limit is a capacity and cost
 * decision for the workload's owner, and a leak would only be OOM-killed later at the bigger limit.
 *
 * The suggested patch is computed here from the Deployment as read now, not by a server-side dry-run patch.
 * RBAC cannot grant `patch` for dry runs only, so a dry-run patch would give this function the power to rewrite
 * any Deployment of every target namespace, for a report that changes nothing; DESIGN §2 keeps it read-only.
 * The manual steps start with the same patch as `--dry-run=server`, so the API server (admission, LimitRanges)
 * validates it with the human's rights before it is applied.
 */
export async function planReportOom(subject: Subject, request: RemediationRequest, { kube }: Ctx): Promise<Plan> {
  const { namespace, name, deployment, selector } = subject;
  const where = `deployment ${namespace}/${name}`;
  const pods = selector ? await kube.listPods(namespace, { labelSelector: selector }) : [];
  const killed = oomKilledContainers(pods);
  const containers = deployment.spec?.template?.spec?.containers ?? [];
  const params = Params.parse(request.params);
  const container =
    containers.find((c) => c.name === params.container) ?? containers.find((c) => killed.has(c.name)) ?? containers[0];
  if (!container)
    return {
      kind: 'report',
      summary: `${where} has no containers in its pod template`,
      changes: [],
      manualSteps: [`kubectl get deployment ${name} -n ${namespace} -o yaml`]
    };
  const before: Resources = structuredClone((container.resources ?? {}) as Resources);
  const { limit, basis } = suggestLimit(before, params.suggestedLimit);
  const after: Resources = { ...before, limits: { ...before.limits, memory: limit } };
  const patch = {
    spec: { template: { spec: { containers: [{ name: container.name, resources: { limits: { memory: limit } } }] } } }
  };
  const seen = killed.get(container.name);
  const evidence = seen
    ? `OOMKilled on ${plural(seen, 'pod')}`
    : 'no OOMKilled status is visible on the current pods (older kills leave no trace once pods are replaced)';
  const current = before.limits?.memory ?? 'none';
  return {
    kind: 'report',
    summary: `container ${container.name} of ${where} runs out of memory (${evidence}; limit ${current}): raise its memory limit to ${limit} (${basis}); Cortex changes no resources`,
    changes: [
      {
        verb: 'patch',
        object: `deployments/${name}`,
        detail: `computed plan, not applied: container ${container.name} resources ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
        dryRun: true
      }
    ],
    manualSteps: [
      `Confirm the OOM kills: kubectl describe pods -n ${namespace} -l ${selector} (Last State: Terminated, Reason: OOMKilled); kubectl top pod -n ${namespace} -l ${selector} --containers`,
      `Validate the new limit with a server-side dry run: kubectl patch deployment ${name} -n ${namespace} --type=strategic -p '${JSON.stringify(patch)}' --dry-run=server -o yaml`,
      `Raise the limit: kubectl set resources deployment/${name} -n ${namespace} -c ${container.name} --limits=memory=${limit}`,
      `Watch the rollout: kubectl rollout status deployment/${name} -n ${namespace}`,
      `Make the same change where ${name} is defined (manifests, Helm values), or the next deploy reverts it; if memory keeps growing at any limit, look for a leak.`
    ]
  };
}
