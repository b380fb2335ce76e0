import type { CheckCtx, CheckFinding, CheckRequest } from '../../shared/diagnosis/check.js';
import { readWorkloadLogs } from '../../shared/diagnosis/logs.js';
import { podState } from '../../shared/diagnosis/pods.js';
import { cleanLine, listNames, plural } from '../../shared/diagnosis/text.js';
import type { DependencyFinding, Evidence } from '../../shared/events/schemas.js';
import type { KubePort, Service } from '../../shared/kube/port.js';
import { readScalingEvents, readTarget, resolveWorkload } from '../../shared/kube/workload.js';
import { ForbiddenError } from '../../shared/runtime/errors.js';
import { collectReferences } from './references.js';
import { describeDependency, group, type Neighbourhood, type Pointed, type ServiceFacts } from './resolve.js';

/*
 * check-dependencies: what the evidence of the target's troubled pods (their logs, this run and the last, container
 * and probe messages) points at, resolved to the Service behind it, and whether that Service has ready endpoints.
 * A crash explained by a dependency that is down is the dependency's to fix (DESIGN §5, root cause first).
 */

const where = (f: DependencyFinding): string => (f.service ? `${f.service.namespace}/${f.service.name}` : f.reference);

function describe(f: DependencyFinding): string {
  switch (f.state) {
    case 'down':
      return `Service ${where(f)} has no ready endpoints${f.deployment ? ` (Deployment ${f.deployment}${f.optedIn ? ', opted in' : ', not opted in'})` : ''}`;
    case 'missing':
      return `${f.reference} names Service ${where(f)}, which does not exist`;
    case 'up':
      return `Service ${where(f)} has ${plural(f.readyEndpoints ?? 0, 'ready endpoint')}`;
    case 'external':
      return `${f.reference} is no Service of the cluster (an outside address)`;
    case 'unnamed':
      return 'the pods blame an upstream dependency without naming it';
    case 'unknown':
      return `Service ${where(f)} could not be read (no access to namespace ${f.service?.namespace})`;
  }
}

/**
 * Judges the dependencies found: a problem when one is down or missing (the root cause lies there), or only outside
 * addresses fail; inconclusive when the pods blame an upstream they do not name; healthy otherwise.
 */
export function judgeDependencies(target: string, found: readonly DependencyFinding[], readLines: number): CheckFinding {
  const evidence: Evidence[] = found.map((f) => ({
    subject: f.service ? `service/${where(f)}` : f.reference,
    detail: `${describe(f)}${f.evidence.length ? `; named by: ${f.evidence.map((l) => `"${cleanLine(l, 200)}"`).join(' | ')}` : ''}`,
    reason: f.state,
    ...(f.readyEndpoints !== undefined ? { count: f.readyEndpoints } : {})
  }));
  const base = { evidence, dependencies: [...found] };
  const down = found.filter((f) => f.state === 'down' || f.state === 'missing');
  if (down.length > 0)
    return {
      ...base,
      verdict: 'problem',
      summary: `${target} cannot reach ${down.length === 1 ? 'its dependency' : 'its dependencies'} ${listNames(down.map(where))}: ${down.map(describe).join('; ')}`,
      symptom: `down:${down.map(where).sort().join(',')}`,
      commands: down.flatMap((f) => f.commands).slice(0, 5)
    };
  const external = found.filter((f) => f.state === 'external');
  if (external.length > 0)
    return {
      ...base,
      verdict: 'problem',
      summary: `${target} cannot reach ${listNames(external.map((f) => f.reference))}: ${external.map(describe).join('; ')}`,
      symptom: `external:${external
        .map((f) => f.reference)
        .sort()
        .join(',')}`,
      commands: external.flatMap((f) => f.commands).slice(0, 5)
    };
  const unsure = found.filter((f) => f.state === 'unnamed' || f.state === 'unknown');
  if (unsure.length > 0)
    return {
      ...base,
      verdict: 'inconclusive',
      summary: `${target}: ${unsure.map(describe).join('; ')}`,
      commands: unsure[0]!.commands
    };
  if (found.length > 0)
    return {
      ...base,
      verdict: 'healthy',
      summary: `The dependencies ${target} names are up: ${found.map(describe).join('; ')}`
    };
  return {
    ...base,
    verdict: 'healthy',
    summary: `No failing dependency in ${plural(readLines, 'line')} of logs and messages of the unhealthy pods of ${target}`
  };
}

/**
 * What the cluster says about a Service the evidence points at. A 403 in the target's own namespace is a missing grant
 * of this check (thrown: the answer is inconclusive, naming it); in another namespace Cortex may simply not be bound,
 * so that dependency stays unknown.
 */
async function facts(kube: KubePort, p: Pointed, own: string): Promise<ServiceFacts | undefined> {
  const i = p.identity;
  if (i.kind !== 'service') return undefined;
  try {
    const [target, endpoints] = await Promise.all([
      readTarget(kube, i.namespace, i.name),
      kube.readEndpoints(i.namespace, i.name)
    ]);
    const { service } = target;
    const deployment = service ? target.deployment : undefined;
    const atZero = deployment?.spec?.replicas === 0;
    const [hpas, events] = atZero
      ? await Promise.all([kube.listHorizontalPodAutoscalers(i.namespace), readScalingEvents(kube, i.namespace, deployment)])
      : [[], []];
    return { service, endpoints, deployment, hpas, events };
  } catch (err) {
    if (err instanceof ForbiddenError && i.namespace !== own)
      return { service: undefined, endpoints: undefined, deployment: undefined, hpas: [], events: [], forbidden: true };
    throw err;
  }
}

/** Which Services of other namespaces exist, for DNS names that point there (unreadable ones stay unknown). */
async function lookups(kube: KubePort, n: Neighbourhood, refs: ReturnType<typeof collectReferences>) {
  const known = new Map<string, boolean | undefined>(n.services.map((s) => [`${n.namespace}/${s.metadata?.name}`, true]));
  const foreign = [...refs.values()].flatMap((r) =>
    r.reference.kind === 'dns' && r.reference.namespace !== n.namespace ? [r.reference] : []
  );
  await Promise.all(
    foreign.map(async (r) => {
      const key = `${r.namespace}/${r.service}`;
      try {
        known.set(key, (await kube.readService(r.namespace, r.service)) !== undefined);
      } catch (err) {
        if (!(err instanceof ForbiddenError)) throw err;
        known.set(key, undefined);
      }
    })
  );
  return (namespace: string, name: string): boolean | undefined =>
    known.has(`${namespace}/${name}`) ? known.get(`${namespace}/${name}`) : namespace === n.namespace ? false : undefined;
}

/**
 * Reads the troubled pods' logs, container messages and Warning events, finds what they name, resolves each name to its
 * Service (or an outside address) and reads that Service's endpoints and Deployment.
 */
export async function inspectDependencies(req: CheckRequest, ctx: CheckCtx): Promise<CheckFinding> {
  const { namespace, service } = req.target;
  const target = `${namespace}/${service}`;
  const workload = await resolveWorkload(ctx.kube, req.target);
  const { chosen, runs } = await readWorkloadLogs(ctx.kube, workload);
  if (!chosen.unhealthy)
    return { verdict: 'healthy', summary: `No unhealthy pods of ${target}: no dependency to blame`, evidence: [] };
  const names = new Set(chosen.pods.map((p) => p.name));
  const [services, events] = await Promise.all([
    ctx.kube.listServices(namespace),
    ctx.kube.listEvents(namespace, { fieldSelector: 'type=Warning' })
  ]);
  const messages = [
    ...chosen.pods.flatMap((p) => [p.message, ...p.containers.flatMap((c) => [c.waiting?.message, c.terminated?.message])]),
    ...events.filter((e) => e.involvedObject?.kind === 'Pod' && names.has(e.involvedObject.name ?? '')).map((e) => e.message)
  ].flatMap((m) => (m ? [cleanLine(m, 1000)] : []));
  const lines = [...runs.flatMap((r) => r.lines), ...messages];
  const refs = collectReferences(lines);
  const n: Neighbourhood = {
    namespace,
    services: services as Service[],
    own: {
      service,
      ips: new Set(workload.pods.map(podState).flatMap((p) => (p.podIP ? [p.podIP] : [])))
    }
  };
  const pointed = group(refs.values(), n, await lookups(ctx.kube, n, refs));
  const found = await Promise.all(
    pointed.map(async (p) => describeDependency(p, await facts(ctx.kube, p, namespace), namespace))
  );
  return judgeDependencies(target, found, lines.length);
}
