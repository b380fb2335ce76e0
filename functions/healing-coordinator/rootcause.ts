import { LIMITS } from '../../shared/events/catalog.js';
import { CHECKS, type CheckName, type DependencyFinding, type RootCause } from '../../shared/events/schemas.js';
import { ADVISORY, downDependencies, PRIORITY, type CheckResult } from './plan.js';
import type { Healing } from './state.js';

/*
 * The root cause of a healing's outcome, from the evidence (DESIGN §5): a dependency that is down, an address outside
 * the cluster, a NetworkPolicy, an upstream the pods blame without naming it, else the workload itself. Every failed
 * or escalated outcome names it, with the commands to look at it. Pure.
 */

const where = (f: DependencyFinding): string => (f.service ? `${f.service.namespace}/${f.service.name}` : f.reference);

/** One line about a dependency, as the evidence shows it. */
export function dependencyLine(f: DependencyFinding): string {
  switch (f.state) {
    case 'down':
      return `Service ${where(f)} has no ready endpoints${f.deployment ? ` (Deployment ${f.deployment}${f.optedIn === false ? ', not opted in' : ''})` : ''}`;
    case 'missing':
      return `Service ${where(f)} does not exist (${f.reference} does not resolve)`;
    case 'external':
      return `${f.reference} is an address outside the cluster's Services`;
    default:
      return `${f.reference}: ${f.state}`;
  }
}

const problems = (results: Partial<Record<CheckName, CheckResult>>): Array<[CheckName, CheckResult]> =>
  CHECKS.flatMap((c) => (results[c]?.verdict === 'problem' ? [[c, results[c]!] as [CheckName, CheckResult]] : []));

const clip = (lines: string[]): string[] => lines.slice(0, 10).map((l) => l.slice(0, LIMITS.summary));

/**
 * The root cause of a healing as its evidence shows it now: the dependency it waits (or waited) for, else what the
 * latest findings (verification over diagnosis) point at.
 *
 * @example
 * rootCauseOf(healing); // → { kind: 'dependency', object: 'demo/postgres', evidence: ['Service demo/postgres has no ready endpoints …', 'Error: connect ECONNREFUSED 10.96.0.15:5432'] }
 */
export function rootCauseOf(h: Healing): RootCause {
  const t = `${h.target.namespace}/${h.target.service}`;
  const dep = h.dependency?.finding ?? downDependencies(h.diagnosis)[0];
  if (dep) return { kind: 'dependency', object: where(dep), evidence: clip([dependencyLine(dep), ...dep.evidence]) };
  const found = h.diagnosis.dependencies?.dependencies ?? [];
  const external = found.find((f) => f.state === 'external');
  if (external)
    return {
      kind: 'external',
      object: external.reference,
      evidence: clip([dependencyLine(external), ...external.evidence])
    };
  const latest = problems(h.verification).length > 0 ? h.verification : h.diagnosis;
  const network = latest['network-policies'];
  if (network?.verdict === 'problem') return { kind: 'network', object: t, evidence: clip([network.summary]) };
  const unnamed = found.find((f) => f.state === 'unnamed');
  if (unnamed)
    return {
      kind: 'dependency',
      object: `an upstream of ${t} its logs do not name`,
      evidence: clip([...unnamed.evidence, ...problems(latest).map(([c, r]) => `${c}: ${r.summary}`)])
    };
  // The findings that call for a fix first, in the plan's order (a scale to zero explains "no pods", not the reverse).
  const rank = ([, r]: [CheckName, CheckResult]): number => {
    const i = r.recommendation ? PRIORITY.indexOf(r.recommendation.action) : -1;
    return i < 0 ? PRIORITY.length : i;
  };
  const seen = problems(latest).sort((a, b) => rank(a) - rank(b));
  const decisive = seen.filter(([c]) => !ADVISORY.has(c));
  if (seen.length > 0)
    return {
      kind: 'workload',
      object: t,
      evidence: clip([...decisive, ...seen.filter(([c]) => ADVISORY.has(c))].map(([c, r]) => `${c}: ${r.summary}`))
    };
  return { kind: 'unknown', object: t, evidence: ['no check found a problem'] };
}

/**
 * The root cause in one clause, for an outcome's reason.
 *
 * @example
 * describeRootCause({ kind: 'dependency', object: 'demo/postgres', evidence: ['Service demo/postgres has no ready endpoints'] });
 * // → 'its dependency demo/postgres is down: Service demo/postgres has no ready endpoints'
 */
export function describeRootCause(rc: RootCause): string {
  const first = rc.evidence[0] ?? '';
  switch (rc.kind) {
    case 'dependency':
      return rc.object.startsWith('an upstream')
        ? `${rc.object} is failing: "${first}"`
        : `its dependency ${rc.object} is down: ${first}`;
    case 'external':
      return `it cannot reach ${rc.object}, an address outside the cluster${rc.evidence[1] ? ` ("${rc.evidence[1]}")` : ''}`;
    case 'network':
      return first;
    case 'workload':
      return `${rc.object} itself: ${first}`;
    case 'unknown':
      return 'no check found the cause';
  }
}

/** The commands to look at the root cause, with the real names (those the checks named). */
export function rootCauseSteps(h: Healing, rc: RootCause): string[] {
  const deps = h.diagnosis.dependencies?.dependencies ?? [];
  const commandsOf = (c: CheckName): string[] => [
    ...(h.verification[c]?.commands ?? []),
    ...(h.diagnosis[c]?.commands ?? [])
  ];
  switch (rc.kind) {
    case 'dependency': {
      const dep =
        h.dependency?.finding ?? deps.find((f) => where(f) === rc.object) ?? deps.find((f) => f.state === 'unnamed');
      return [...(dep?.commands ?? []), ...commandsOf('pod-logs')];
    }
    case 'external':
      return [...(deps.find((f) => f.reference === rc.object)?.commands ?? []), ...commandsOf('pod-logs')];
    case 'network':
      return commandsOf('network-policies');
    default:
      return [...commandsOf('pod-status'), ...commandsOf('deployment-config'), ...commandsOf('pod-logs')];
  }
}
