import * as z from 'zod';
import type { Deployment } from '../../shared/kube/port.js';
import { restoreReplicas } from '../../shared/kube/restore.js';
import type { Plan, Subject } from '../../shared/remediation/remediate.js';
import { plural, type RemediationRequest } from '../../shared/remediation/outcome.js';
import type { Ctx } from '../../shared/runtime/define-function.js';

/** Whatever the annotation or the request says, one remediation never scales past this. */
export const MAX_RESTORE_REPLICAS = 10;

/** `params` of the request: the count the diagnosis found and where it came from (shared/kube/restore.ts). */
const Params = z.object({
  replicas: z.number().int().positive().optional().catch(undefined),
  sourceDetail: z.string().max(300).optional().catch(undefined)
});

/**
 * How many replicas to restore, and where that number came from (for the summary and the audit trail): the
 * annotation as it reads now, else the count the diagnosis found (an HPA's minimum, the last-applied manifest, the
 * last scale-to-zero event), else the last-applied manifest as it reads now, else 1.
 *
 * @example
 * restoreCount(deployment, { replicas: 2, sourceDetail: 'minReplicas 2 of HorizontalPodAutoscaler api' });
 * // → { replicas: 2, source: 'minReplicas 2 of HorizontalPodAutoscaler api' }
 */
export function restoreCount(deployment: Deployment, params: Record<string, unknown>): { replicas: number; source: string } {
  const { replicas: requested, sourceDetail } = Params.parse(params);
  const own = restoreReplicas({ deployment });
  const [wanted, source] =
    own.source === 'annotation'
      ? [own.replicas, own.detail]
      : requested
        ? [requested, sourceDetail ?? `replicas ${requested} named in the request`]
        : [own.replicas, own.detail];
  const replicas = Math.min(wanted, MAX_RESTORE_REPLICAS);
  return { replicas, source: replicas < wanted ? `${source}, capped at ${MAX_RESTORE_REPLICAS}` : source };
}

/**
 * Restores a Deployment scaled to zero through its scale subresource, to the count {@link restoreCount} finds. A
 * Deployment that already wants replicas is left alone.
 */
export async function planScaleUp(subject: Subject, request: RemediationRequest, { kube }: Ctx): Promise<Plan> {
  const { namespace, name, deployment } = subject;
  const where = `deployment ${namespace}/${name}`;
  // An unset spec.replicas defaults to 1 in the API server.
  const current = deployment.spec?.replicas ?? 1;
  if (current > 0) {
    return {
      kind: 'noop',
      summary: `${where} already wants ${plural(current, 'replica')} (${deployment.status?.readyReplicas ?? 0} ready): nothing to scale`
    };
  }
  const { replicas, source } = restoreCount(deployment, request.params);
  const what = `${where} from 0 to ${plural(replicas, 'replica')} (${source})`;
  return {
    kind: 'act',
    summary: `scaled ${what}`,
    dryRunSummary: `dry run: would scale ${what}; nothing was changed`,
    steps: [
      {
        change: { verb: 'patch', object: `deployments/${name}/scale`, detail: `spec.replicas 0 → ${replicas}` },
        async run(opts) {
          await kube.scaleDeployment(namespace, name, replicas, opts);
        },
        async preview() {
          const after = await kube.scaleDeployment(namespace, name, replicas, { dryRun: true });
          return { before: { spec: { replicas: current } }, after };
        }
      }
    ],
    manualSteps: [
      `kubectl scale deployment/${name} -n ${namespace} --replicas=${replicas}`,
      `kubectl rollout status deployment/${name} -n ${namespace}`
    ]
  };
}
