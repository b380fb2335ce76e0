import { z } from 'zod';
import type { Plan, Subject } from '../../shared/remediation/remediate.js';
import { plural, type RemediationRequest } from '../../shared/remediation/outcome.js';
import type { Ctx } from '../../shared/runtime/define-function.js';

/** The annotation a workload carries to say how many replicas to restore after a scale to zero. */
export const RESTORE_ANNOTATION = 'cortex.dev/restore-replicas';
/** Whatever the annotation or the request says, one remediation never scales past this. */
export const MAX_RESTORE_REPLICAS = 10;

const Params = z.object({ replicas: z.number().int().positive().optional().catch(undefined) });

/** How many replicas to restore, and where that number came from (for the audit trail). */
export function restoreCount(
  annotation: string | undefined,
  requested: number | undefined
): { replicas: number; source: string } {
  const fromAnnotation = annotation !== undefined && /^\s*\d+\s*$/.test(annotation) ? Number(annotation) : undefined;
  const ignored =
    annotation !== undefined && !(fromAnnotation && fromAnnotation > 0)
      ? `, ignored ${RESTORE_ANNOTATION}="${annotation}"`
      : '';
  const [wanted, source] =
    fromAnnotation && fromAnnotation > 0
      ? [fromAnnotation, `annotation ${RESTORE_ANNOTATION}=${annotation!.trim()}`]
      : requested
        ? [requested, `the request${ignored}`]
        : [1, `the default${ignored}`];
  const replicas = Math.min(wanted, MAX_RESTORE_REPLICAS);
  return { replicas, source: replicas < wanted ? `${source}, capped at ${MAX_RESTORE_REPLICAS}` : source };
}

/**
 * Restores a Deployment scaled to zero through its scale subresource: to the restore annotation when it holds a
 * positive integer, else the request's replicas, else 1. A Deployment that already wants replicas is left alone.
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
  const { replicas, source } = restoreCount(
    deployment.metadata?.annotations?.[RESTORE_ANNOTATION],
    Params.parse(request.params).replicas
  );
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
