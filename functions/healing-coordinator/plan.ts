import type {
  Action,
  CheckName,
  DependencyFinding,
  Finding,
  Observed,
  ReasonCode,
  Recommendation,
  Verdict
} from '../../shared/events/schemas.js';

/** What one check reported (or what the coordinator concluded when it did not answer). */
export interface CheckResult {
  verdict: Verdict;
  summary: string;
  recommendation?: Recommendation | undefined;
  /** What the check saw, the same for the same fault from run to run (memory.ts). */
  symptom?: string | undefined;
  /** Commands a human runs to look further, with the real names. */
  commands?: string[] | undefined;
  /** check-dependencies: what the evidence points at. */
  dependencies?: DependencyFinding[] | undefined;
  /** pod-status and service-endpoints: the counts verification compares with a pre-action record. */
  observed?: Observed | undefined;
}

export type PlannedAction = { action: Action; params: Record<string, unknown>; reason: string };

export type Plan =
  | { kind: 'remediate'; actions: PlannedAction[] }
  /** A Service the target needs is down or missing: its healing comes first, and the target is not restarted. */
  | { kind: 'dependency'; down: DependencyFinding[] }
  | { kind: 'healthy'; summary: string }
  | { kind: 'manual'; code: ReasonCode; reason: string; manualSteps: string[] };

/**
 * Actions in priority order (DESIGN §5). Only the first recommended one of the primary actions runs: a pod that
 * cannot pull its image will not be fixed by a restart. Cleaning up Failed/Evicted pods is harmless and runs
 * alongside whatever else is chosen.
 */
export const PRIORITY: readonly Action[] = [
  'report_image_pull',
  'report_oom',
  'scale_up',
  'restart_pods',
  'rollout_restart'
];
export const ALONGSIDE: Action = 'cleanup_failed_pods';

/** The remediations that change the cluster: what the budget counts. */
export const MUTATING: ReadonlySet<Action> = new Set([
  'restart_pods',
  'scale_up',
  'rollout_restart',
  'cleanup_failed_pods',
  // A rollback changes the workload too: it counts against the budget like any mutating action (DESIGN §12).
  'rollback'
]);

/** Restarting a workload whose crash a down dependency explains only makes it crash again. */
const RESTARTS: ReadonlySet<Action> = new Set(['restart_pods', 'rollout_restart']);

/**
 * Checks that read history (recent Warning events, logs of past runs): evidence for the report, never a reason on
 * their own to call a healthy workload broken. Warning events of an incident that is over stay for an hour.
 */
export const ADVISORY: ReadonlySet<CheckName> = new Set(['events', 'pod-logs']);

export function findingsOf(results: Readonly<Partial<Record<CheckName, CheckResult>>>): Finding[] {
  return Object.entries(results).map(([check, r]) => ({ check, verdict: r!.verdict, summary: r!.summary }));
}

/** The dependencies check-dependencies found down or missing: what explains a crash. */
export function downDependencies(results: Readonly<Partial<Record<CheckName, CheckResult>>>): DependencyFinding[] {
  const d = results.dependencies;
  if (d?.verdict !== 'problem') return [];
  return (d.dependencies ?? []).filter((f) => f.state === 'down' || f.state === 'missing');
}

/** What a human runs for each problem a check found: its summary, then its commands (real names filled in). */
export function stepsOf(entries: ReadonlyArray<[CheckName | string, CheckResult]>): string[] {
  return entries.flatMap(([c, r]) => [`${c}: ${r.summary}`, ...(r.commands ?? [])]);
}

/**
 * Chooses what to do from the diagnosis. Pure.
 *
 * @example
 * plan({ 'deployment-config': { verdict: 'problem', summary: 'scaled to zero', recommendation: { action: 'scale_up', reason: 'no replicas', params: { replicas: 1 } } } });
 * // → { kind: 'remediate', actions: [{ action: 'scale_up', params: { replicas: 1 }, reason: 'deployment-config: no replicas' }] }
 */
export function plan(results: Readonly<Partial<Record<CheckName, CheckResult>>>): Plan {
  const entries = Object.entries(results) as Array<[CheckName, CheckResult]>;
  const recommended = new Map<Action, { params: Record<string, unknown>; reason: string }>();
  // In the order of CHECKS, not of arrival, so the same diagnosis gives the same plan.
  for (const [check, r] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
    const rec = r.recommendation;
    if (r.verdict === 'problem' && rec && !recommended.has(rec.action)) {
      recommended.set(rec.action, { params: rec.params ?? {}, reason: `${check}: ${rec.reason}` });
    }
  }
  const down = downDependencies(results);
  // Root cause first: a crash a down dependency explains is the dependency's to fix (image and OOM reports still go).
  if (down.length > 0) {
    for (const a of RESTARTS) recommended.delete(a);
    if (!recommended.has('report_image_pull') && !recommended.has('report_oom') && !recommended.has('scale_up'))
      return { kind: 'dependency', down };
  }
  const primary = PRIORITY.find((a) => recommended.has(a));
  const actions = [primary, recommended.has(ALONGSIDE) ? ALONGSIDE : undefined]
    .filter((a): a is Action => a !== undefined)
    .map((action) => ({ action, ...recommended.get(action)! }));
  if (actions.length > 0) return { kind: 'remediate', actions };

  const problems = entries.filter(([c, r]) => r.verdict === 'problem' && !ADVISORY.has(c));
  const past = entries.filter(([c, r]) => r.verdict === 'problem' && ADVISORY.has(c)).map(([c]) => c);
  const healthy = entries.filter(([c, r]) => r.verdict === 'healthy' || (r.verdict === 'problem' && ADVISORY.has(c)));
  if (problems.length > 0) {
    const context = entries.filter(([c, r]) => ADVISORY.has(c) && r.verdict === 'problem');
    return {
      kind: 'manual',
      code: 'no_fix',
      reason: `diagnosed, but no automatic fix applies: ${problems.map(([c, r]) => `${c}: ${r.summary}`).join('; ')}`,
      manualSteps: stepsOf([...problems, ...context])
    };
  }
  if (healthy.length === 0) {
    return {
      kind: 'manual',
      code: 'no_fix',
      reason: 'could not diagnose: no check gave an answer',
      manualSteps: [
        'Check that the Cortex check functions are running and allowed to read the target namespace: kubectl get ksvc -n cortex'
      ]
    };
  }
  const unsure = entries.length - healthy.length;
  const ok = healthy.length - past.length;
  return {
    kind: 'healthy',
    summary: `transient: service healthy now (${ok}/${entries.length} checks healthy${unsure ? `, ${unsure} inconclusive` : ''}${past.length ? `; ${past.join(' and ')} show earlier trouble` : ''})`
  };
}
