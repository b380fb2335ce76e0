import type { CheckFinding, CheckRequest } from '../../shared/diagnosis/check.js';
import { cleanLine, listNames, plural } from '../../shared/diagnosis/text.js';
import { lastSeen } from '../../shared/kube/events.js';
import type { Deployment, KubeEvent } from '../../shared/kube/port.js';
import { scaledDownFrom } from '../../shared/kube/restore.js';
import type { Evidence } from '../../shared/events/schemas.js';
import { readScalingEvents, readTarget } from '../../shared/kube/workload.js';
import type { Ctx } from '../../shared/runtime/define-function.js';

/** Warning events older than this are history, not the current failure. */
export const EVENT_WINDOW_MS = 15 * 60_000;

/** The names of the workload's objects, which events name in `involvedObject`. */
export interface WorkloadNames {
  service: string;
  /** The Deployment's name; ReplicaSets are `<deployment>-<hash>`, their pods `<deployment>-<hash>-<suffix>`. */
  deployment: string | undefined;
}

/** `parent-<seg>[-<seg>]` with exactly `segments` lowercase alphanumeric parts after the parent (no regex built from names). */
function isChild(name: string, parent: string | undefined, segments: number): boolean {
  if (!parent || !name.startsWith(`${parent}-`)) return false;
  const rest = name.slice(parent.length + 1).split('-');
  return (
    rest.length === segments &&
    rest.every((s) => s.length > 0 && [...s].every((ch) => (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')))
  );
}

/** Whether an event is about one of the workload's objects: its Deployment, ReplicaSets, Pods, Service or endpoints. */
export function isAboutWorkload(e: KubeEvent, names: WorkloadNames): boolean {
  const { kind, name = '' } = e.involvedObject ?? {};
  const owner = names.deployment ?? names.service;
  switch (kind) {
    case 'Deployment':
      return name === owner;
    case 'ReplicaSet':
      return isChild(name, owner, 1);
    case 'Pod':
      return isChild(name, owner, 2);
    case 'Service':
    case 'Endpoints':
      return name === names.service;
    case 'EndpointSlice':
      return isChild(name, names.service, 1);
    default:
      return false;
  }
}

/** Groups the recent Warning events of the workload by reason, with counts; a problem when there are any. */
export function judgeEvents(where: string, events: readonly KubeEvent[], names: WorkloadNames, nowMs: number): CheckFinding {
  const groups = new Map<string, { count: number; objects: Set<string>; message: string; at: number }>();
  for (const e of events) {
    const at = lastSeen(e);
    if (e.type !== 'Warning' || at === undefined || nowMs - at > EVENT_WINDOW_MS || !isAboutWorkload(e, names)) continue;
    const reason = cleanLine(e.reason ?? 'Unknown', 64);
    const g = groups.get(reason) ?? { count: 0, objects: new Set<string>(), message: '', at: -Infinity };
    g.count += Math.max(1, e.count ?? e.series?.count ?? 1);
    g.objects.add(`${(e.involvedObject?.kind ?? '?').toLowerCase()}/${e.involvedObject?.name ?? '?'}`);
    if (at >= g.at) Object.assign(g, { at, message: cleanLine(e.message ?? '', 400) });
    groups.set(reason, g);
  }
  const minutes = Math.round(EVENT_WINDOW_MS / 60_000);
  if (groups.size === 0)
    return { verdict: 'healthy', summary: `No Warning events for ${where} in the last ${minutes} min`, evidence: [] };
  const sorted = [...groups.entries()].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]));
  const total = sorted.reduce((n, [, g]) => n + g.count, 0);
  return {
    verdict: 'problem',
    summary: `${plural(total, 'Warning event')} for ${where} in the last ${minutes} min: ${sorted.map(([r, g]) => `${r} ×${g.count}`).join(', ')}`,
    evidence: sorted.map(([reason, g]) => ({
      subject: listNames([...g.objects].sort()),
      detail: g.message || '(no message)',
      reason,
      count: g.count
    }))
  };
}

/**
 * The last scale to zero of the Deployment, as its ScalingReplicaSet event tells it ("… to 0 from 2"): a Normal event,
 * so it never changes the verdict, but the number it carries is the capacity a scale-up should restore.
 */
export function scaleEvidence(deployment: Deployment | undefined, events: readonly KubeEvent[]): Evidence[] {
  const from = deployment ? scaledDownFrom(deployment, events) : undefined;
  if (!from) return [];
  return [
    {
      subject: `deployment/${deployment!.metadata?.name}`,
      detail: from.message,
      reason: 'ScalingReplicaSet',
      count: from.replicas
    }
  ];
}

/**
 * Reads the target's Service and Deployment names, the namespace's Warning events, and the Deployment's
 * ScalingReplicaSet events (the replica count before a scale to zero). No recommendation.
 */
export async function inspectEvents(req: CheckRequest, ctx: Ctx): Promise<CheckFinding> {
  const { namespace, service: name } = req.target;
  const [{ deployment, scaling }, events] = await Promise.all([
    readTarget(ctx.kube, namespace, name).then(async ({ deployment }) => ({
      deployment,
      scaling: await readScalingEvents(ctx.kube, namespace, deployment)
    })),
    ctx.kube.listEvents(namespace, { fieldSelector: 'type=Warning' })
  ]);
  const names = { service: name, deployment: deployment?.metadata?.name };
  const found = judgeEvents(`${namespace}/${name}`, events, names, ctx.clock.now().getTime());
  return { ...found, evidence: [...found.evidence, ...scaleEvidence(deployment, scaling)] };
}
