import type { CheckFinding, CheckRequest } from '../../shared/diagnosis/check.js';
import { podState } from '../../shared/diagnosis/pods.js';
import { listNames, plural } from '../../shared/diagnosis/text.js';
import { resolveWorkload, type Workload } from '../../shared/kube/workload.js';
import type { Ctx } from '../../shared/runtime/define-function.js';

/** The most pods one cleanup is asked to delete; the rest wait for the next healing. */
const MAX_CLEANUP = 50;

/** Failed and Evicted pods of the workload: a problem, cleaned up by cleanup_failed_pods. */
export function judgeFailedPods(where: string, workload: Workload): CheckFinding {
  const all = workload.pods.map(podState).sort((a, b) => a.name.localeCompare(b.name));
  const failed = all.filter((p) => p.failed);
  if (failed.length === 0) {
    return {
      verdict: 'healthy',
      summary: `No Failed or Evicted pods among ${plural(all.length, 'pod')} of ${where}`,
      evidence: []
    };
  }
  const evicted = failed.filter((p) => p.status === 'Evicted').length;
  const kinds = [
    evicted > 0 ? `${evicted} Evicted` : '',
    failed.length - evicted > 0 ? `${failed.length - evicted} Failed` : ''
  ]
    .filter(Boolean)
    .join(', ');
  const names = failed.map((p) => p.name);
  return {
    verdict: 'problem',
    summary: `${plural(failed.length, 'pod')} of ${where} ${failed.length === 1 ? 'is' : 'are'} left over (${kinds}): ${listNames(names)}`,
    evidence: failed.map((p) => ({
      subject: `pod/${p.name}`,
      detail: `${p.phase}, ${p.status}${p.message ? `: ${p.message}` : ''}`,
      reason: p.status
    })),
    recommendation: {
      action: 'cleanup_failed_pods',
      reason: `delete ${plural(failed.length, 'finished pod')} (${kinds}) that hold no traffic`,
      params: { pods: names.slice(0, MAX_CLEANUP) }
    }
  };
}

/** Reads the workload's pods and looks for Failed/Evicted ones. */
export async function inspectFailedPods(req: CheckRequest, ctx: Ctx): Promise<CheckFinding> {
  return judgeFailedPods(`${req.target.namespace}/${req.target.service}`, await resolveWorkload(ctx.kube, req.target));
}
