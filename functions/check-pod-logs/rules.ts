import type { CheckFinding, CheckRequest } from '../../shared/diagnosis/check.js';
import { readWorkloadLogs, runName, type LogRun } from '../../shared/diagnosis/logs.js';
import type { PodState } from '../../shared/diagnosis/pods.js';
import { listNames, plural } from '../../shared/diagnosis/text.js';
import type { Evidence } from '../../shared/events/schemas.js';
import { resolveWorkload } from '../../shared/kube/workload.js';
import type { Ctx } from '../../shared/runtime/define-function.js';
import { scanLog, type PatternHit } from './patterns.js';

/** One container run's log, read and scanned. */
export interface RunScan {
  pod: string;
  container: string;
  previous: boolean;
  lines: number;
  hits: PatternHit[];
  lastLine: string | undefined;
}

/** Scans one run's lines for the known error patterns. */
export function scanRun(r: LogRun): RunScan {
  const { pod, container, previous, lines } = r;
  return { pod, container, previous, lines: lines.length, hits: scanLog(lines), lastLine: lines.at(-1)?.slice(0, 240) };
}

/** Turns the scanned runs into a finding. Pure. */
export function judgeLogs(
  where: string,
  chosen: { pods: PodState[]; unhealthy: boolean },
  runs: readonly RunScan[]
): CheckFinding {
  const podNames = chosen.pods.map((p) => p.name);
  const which = `${chosen.unhealthy ? 'unhealthy ' : ''}${plural(podNames.length, 'pod')} (${listNames(podNames)})`;
  if (chosen.pods.length === 0)
    return { verdict: 'inconclusive', summary: `No running pods of ${where} to read logs from`, evidence: [] };
  if (!runs.some((r) => r.lines > 0)) {
    const waiting = chosen.pods.flatMap((p) =>
      p.containers
        .filter((c) => c.waiting)
        .map((c) => ({
          subject: `pod/${p.name} container ${c.name}`,
          detail: `waiting: ${c.waiting!.reason}`,
          reason: 'NoLogs'
        }))
    );
    return {
      verdict: 'inconclusive',
      summary: `No log lines to read for ${which}: the containers have not written any yet`,
      evidence: waiting
    };
  }
  const evidence: Evidence[] = [];
  const totals = new Map<string, { label: string; count: number }>();
  for (const r of runs) {
    for (const h of r.hits) {
      totals.set(h.id, { label: h.label, count: (totals.get(h.id)?.count ?? 0) + h.count });
      evidence.push({
        subject: runName(r),
        detail: h.samples.map((s) => `"${s}"`).join(' | '),
        reason: h.id,
        count: h.count
      });
    }
  }
  const readRuns = runs.map((r) => `${runName(r)}: ${plural(r.lines, 'line')}`).join('; ');
  if (totals.size === 0) {
    const last = runs.filter((r) => r.lastLine).map((r) => ({ subject: runName(r), detail: `last line: "${r.lastLine}"` }));
    return {
      verdict: 'healthy',
      summary: `No known error patterns in the logs of ${which}`,
      evidence: [{ subject: 'logs read', detail: readRuns }, ...last]
    };
  }
  const counted = [...totals.values()].map((t) => `${t.label} ×${t.count}`).join(', ');
  const prev = runs.some((r) => r.previous && r.hits.length > 0) ? ', including the previous container run' : '';
  const worst = runs.find((r) => r.previous && r.hits.length > 0) ?? runs.find((r) => r.hits.length > 0)!;
  const ns = where.split('/')[0];
  return {
    verdict: 'problem',
    summary: `Logs of ${which} show ${counted}${prev}`,
    evidence: [...evidence, { subject: 'logs read', detail: readRuns }],
    // Which patterns, not how often: the same fault logs the same kinds of lines from one run to the next.
    symptom: [...totals.keys()].sort().join('+'),
    commands: [`kubectl logs -n ${ns} ${worst.pod} -c ${worst.container}${worst.previous ? ' --previous' : ''} --tail=50`]
  };
}

/** Reads current and previous logs of the pods worth reading and scans them for error patterns. No recommendation. */
export async function inspectPodLogs(req: CheckRequest, ctx: Ctx): Promise<CheckFinding> {
  const { namespace, service } = req.target;
  const { chosen, runs } = await readWorkloadLogs(ctx.kube, await resolveWorkload(ctx.kube, req.target));
  return judgeLogs(`${namespace}/${service}`, chosen, runs.map(scanRun));
}
