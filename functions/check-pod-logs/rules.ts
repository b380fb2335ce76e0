import type { CheckFinding, CheckRequest } from '../../shared/diagnosis/check.js';
import { hasFault, podState, type ContainerState, type PodState } from '../../shared/diagnosis/pods.js';
import { cleanLines, listNames, plural } from '../../shared/diagnosis/text.js';
import type { Evidence } from '../../shared/events/schemas.js';
import type { KubePort } from '../../shared/kube/port.js';
import { resolveWorkload } from '../../shared/kube/workload.js';
import type { Ctx } from '../../shared/runtime/define-function.js';
import { InvalidRequestError, NotFoundError } from '../../shared/runtime/errors.js';
import { scanLog, type PatternHit } from './patterns.js';

/** Bounds on what is read: log text is untrusted and may be huge. */
export const LOG_LIMITS = {
  tailLines: 200,
  limitBytes: 64 * 1024,
  maxLineChars: 1000,
  maxPods: 3,
  maxContainers: 3
} as const;

/** One container run's log, read and scanned. */
export interface RunScan {
  pod: string;
  container: string;
  previous: boolean;
  lines: number;
  hits: PatternHit[];
  lastLine: string | undefined;
}

const runName = (r: Pick<RunScan, 'pod' | 'container' | 'previous'>): string =>
  `pod/${r.pod} container ${r.container}${r.previous ? ' (previous run)' : ''}`;

async function readRun(
  kube: KubePort,
  ns: string,
  pod: string,
  container: string,
  previous: boolean
): Promise<RunScan | undefined> {
  let text: string | undefined;
  try {
    text = await kube.readPodLog(ns, pod, {
      container,
      previous,
      tailLines: LOG_LIMITS.tailLines,
      limitBytes: LOG_LIMITS.limitBytes
    });
  } catch (err) {
    // A container that has not started yet (waiting to pull its image) has no log: the API answers 400.
    if (err instanceof InvalidRequestError || err instanceof NotFoundError) return undefined;
    throw err;
  }
  if (text === undefined) return undefined;
  // The server may ignore limitBytes; bound again before splitting.
  const lines = cleanLines(text, {
    maxChars: LOG_LIMITS.limitBytes,
    maxLines: LOG_LIMITS.tailLines,
    maxLineChars: LOG_LIMITS.maxLineChars
  });
  return { pod, container, previous, lines: lines.length, hits: scanLog(lines), lastLine: lines.at(-1)?.slice(0, 240) };
}

/** Containers worth reading: the troubled ones of a pod, else all of them (bounded). */
function containersToRead(p: PodState): ContainerState[] {
  const troubled = p.containers.filter((c) => !c.ready || c.restartCount > 0);
  return (troubled.length > 0 ? troubled : p.containers).slice(0, LOG_LIMITS.maxContainers);
}

/** Unhealthy pods first (not ready, restarting, faulty); when all are fine, a couple of ready ones. */
export function podsToRead(pods: readonly PodState[]): { pods: PodState[]; unhealthy: boolean } {
  const active = pods.filter((p) => p.active);
  const unhealthy = active.filter((p) => !p.ready || p.restarts > 0 || hasFault(p));
  if (unhealthy.length > 0) return { pods: unhealthy.slice(0, LOG_LIMITS.maxPods), unhealthy: true };
  return { pods: active.slice(0, 2), unhealthy: false };
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
  return {
    verdict: 'problem',
    summary: `Logs of ${which} show ${counted}${prev}`,
    evidence: [...evidence, { subject: 'logs read', detail: readRuns }]
  };
}

/** Reads current and previous logs of the pods worth reading and scans them for error patterns. No recommendation. */
export async function inspectPodLogs(req: CheckRequest, ctx: Ctx): Promise<CheckFinding> {
  const { namespace, service } = req.target;
  const workload = await resolveWorkload(ctx.kube, req.target);
  const chosen = podsToRead(workload.pods.map(podState).sort((a, b) => a.name.localeCompare(b.name)));
  const reads = chosen.pods.flatMap((p) =>
    containersToRead(p).flatMap((c) => {
      const runs = [readRun(ctx.kube, namespace, p.name, c.name, false)];
      if (c.restartCount > 0 || c.lastTerminated) runs.push(readRun(ctx.kube, namespace, p.name, c.name, true));
      return runs;
    })
  );
  const runs = (await Promise.all(reads)).filter((r): r is RunScan => r !== undefined);
  return judgeLogs(`${namespace}/${service}`, chosen, runs);
}
