import type { Action, CheckName, Finding, ReasonCode, Recommendation, Verdict } from '../../shared/events/schemas.js';

/** What one check reported (or what the coordinator concluded when it did not answer). */
export interface CheckResult {
  verdict: Verdict;
  summary: string;
  recommendation?: Recommendation | undefined;
}

export type Plan =
  | { kind: 'remediate'; actions: Array<{ action: Action; params: Record<string, unknown>; reason: string }> }
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
const ALONGSIDE: Action = 'cleanup_failed_pods';

/**
 * Checks that read history (recent Warning events, logs of past runs): evidence for the report, never a reason on
 * their own to call a healthy workload broken. Warning events of an incident that is over stay for an hour.
 */
export const ADVISORY: ReadonlySet<CheckName> = new Set(['events', 'pod-logs']);

export function findingsOf(results: Readonly<Partial<Record<CheckName, CheckResult>>>): Finding[] {
  return Object.entries(results).map(([check, r]) => ({ check, verdict: r!.verdict, summary: r!.summary }));
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
  for (const [check, r] of entries) {
    const rec = r.recommendation;
    if (r.verdict === 'problem' && rec && !recommended.has(rec.action)) {
      recommended.set(rec.action, { params: rec.params ?? {}, reason: `${check}: ${rec.reason}` });
    }
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
    return {
      kind: 'manual',
      code: 'no_fix',
      reason: `diagnosed, but no automatic fix applies: ${problems.map(([c, r]) => `${c}: ${r.summary}`).join('; ')}`,
      manualSteps: problems.map(([c, r]) => `Investigate ${c}: ${r.summary}`)
    };
  }
  if (healthy.length === 0) {
    return {
      kind: 'manual',
      code: 'no_fix',
      reason: 'could not diagnose: no check gave an answer',
      manualSteps: [
        'Check that the Cortex check functions are running and allowed to read the target namespace (kubectl get ksvc -n cortex)'
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
