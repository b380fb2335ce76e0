import type { CheckFinding, CheckRequest } from '../../shared/diagnosis/check.js';
import { suggestLimit } from '../../shared/diagnosis/memory.js';
import { isOomKilled, podState } from '../../shared/diagnosis/pods.js';
import { listNames, plural } from '../../shared/diagnosis/text.js';
import type { Evidence } from '../../shared/events/schemas.js';
import type { Pod } from '../../shared/kube/port.js';
import { resolveWorkload, type Workload } from '../../shared/kube/workload.js';
import type { Ctx } from '../../shared/runtime/define-function.js';

type ContainerSpec = NonNullable<Pod['spec']>['containers'][number];

const resources = (c: ContainerSpec): string => {
  const r = c.resources ?? {};
  const fmt = (o: Record<string, string> | undefined): string =>
    Object.entries(o ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  return `requests ${fmt(r.requests)}; limits ${fmt(r.limits)}`;
};

/** Judges memory limits against OOM kills of the target's pods; recommends report_oom with a suggested limit. */
export function judgeLimits(where: string, workload: Workload): CheckFinding {
  const template = workload.deployment?.spec?.template?.spec?.containers;
  const specs: ContainerSpec[] = template ?? workload.pods[0]?.spec?.containers ?? [];
  const evidence: Evidence[] = specs.map((c) => ({ subject: `container ${c.name}`, detail: resources(c) }));
  if (workload.pods.length === 0 && specs.length === 0) {
    return { verdict: 'inconclusive', summary: `No pods or pod template for ${where}: no limits to look at`, evidence };
  }
  // container name → pods where it was OOMKilled, and its restarts there
  const oom = new Map<string, { pods: string[]; restarts: number }>();
  const sigkill: string[] = [];
  for (const p of workload.pods.map(podState)) {
    for (const c of p.containers) {
      if (isOomKilled(c)) {
        const o = oom.get(c.name) ?? { pods: [], restarts: 0 };
        o.pods.push(p.name);
        o.restarts += c.restartCount;
        oom.set(c.name, o);
        evidence.push({
          subject: `pod/${p.name} container ${c.name}`,
          detail: `OOMKilled (exit 137), ${plural(c.restartCount, 'restart')}`,
          reason: 'OOMKilled',
          count: c.restartCount
        });
      } else if (p.active && (c.lastTerminated?.exitCode === 137 || c.terminated?.exitCode === 137)) {
        // Killed with SIGKILL but not by the OOM killer (a failed liveness probe, a node drain): worth noting, not ours
        // to fix. Evicted pods are left out: their containers die with 137 too, and failed-pods reports them.
        sigkill.push(`${p.name}/${c.name}`);
        evidence.push({
          subject: `pod/${p.name} container ${c.name}`,
          detail: `killed (exit 137, not OOM), ${plural(c.restartCount, 'restart')}`,
          reason: 'Killed',
          count: c.restartCount
        });
      }
    }
  }
  if (oom.size === 0) {
    const note =
      sigkill.length > 0
        ? `; ${plural(sigkill.length, 'container')} killed with exit 137 but not for memory (${listNames(sigkill)})`
        : '';
    return {
      verdict: 'healthy',
      summary: `No OOMKilled containers in ${plural(workload.pods.length, 'pod')} of ${where}${note}`,
      evidence
    };
  }
  const [container, hit] = [...oom.entries()].sort((a, b) => b[1].pods.length - a[1].pods.length)[0]!;
  const spec = specs.find((c) => c.name === container);
  const s = suggestLimit({ limit: spec?.resources?.limits?.memory, request: spec?.resources?.requests?.memory });
  const limitText = s.currentLimit ? `memory limit ${s.currentLimit}` : 'no memory limit';
  return {
    verdict: 'problem',
    summary: `Container ${container} of ${where} was OOMKilled in ${plural(hit.pods.length, 'pod')} (${listNames(hit.pods)}, ${plural(hit.restarts, 'restart')}) with ${limitText}; suggested limit ${s.suggestedLimit}`,
    evidence,
    recommendation: {
      action: 'report_oom',
      reason: `${container} ran out of memory with ${limitText}: ${s.basis}`,
      params: {
        container,
        ...(s.currentLimit ? { currentLimit: s.currentLimit } : {}),
        suggestedLimit: s.suggestedLimit,
        pods: hit.pods,
        ...(workload.deployment?.metadata?.name ? { deployment: workload.deployment.metadata.name } : {})
      }
    }
  };
}

/** Reads the workload and judges its memory limits. */
export async function inspectResourceLimits(req: CheckRequest, ctx: Ctx): Promise<CheckFinding> {
  return judgeLimits(`${req.target.namespace}/${req.target.service}`, await resolveWorkload(ctx.kube, req.target));
}
