import { Events } from '../../shared/events/catalog.js';
import { VERIFY_CHECKS, type Action, type PreActionRecord } from '../../shared/events/schemas.js';
import { iso, progress } from './emit.js';
import { fail, type Reaction } from './outcomes.js';
import type { Env } from './saga.js';
import type { Healing, RemediationResult, TargetState } from './state.js';
import { toVerify } from './record.js';

/*
 * Undoing a fix that made things worse (DESIGN §12), pure. Verification (once the rollout settled: the verify checks
 * wait, bounded, for it) is compared with the record the remediation made before it acted: fewer Ready pods or ready
 * endpoints than before, or pods that fail where none did before, mean worse. Then remediate-rollback is asked to go
 * back (to the previous revision's template, or the previous replica count), the target is verified again, and the
 * healing ends `rolled_back` with what was undone. A pod deletion cannot be undone: the healing stops and escalates.
 * A rollback is never followed by another attempt in the same healing, and counts against the budget.
 */

/** Actions whose effect can be undone, and how a rollback request names the state to go back to. */
const UNDO: Partial<Record<Action, (r: PreActionRecord) => Record<string, unknown> | undefined>> = {
  rollout_restart: (r) => (r.revision ? { revision: r.revision } : undefined),
  scale_up: (r) => ({ replicas: r.replicas })
};

export interface Worse {
  action: Action;
  record: PreActionRecord;
  why: string;
}

/** How the applied fix made things worse than its record says they were, or undefined. */
export function worse(h: Healing): Worse | undefined {
  const pods = h.verification['pod-status']?.observed;
  const endpoints = h.verification['service-endpoints']?.observed?.endpoints;
  const faultyBefore = h.diagnosis['pod-status']?.observed?.faulty;
  for (const [action, r] of Object.entries(h.remediation) as Array<[Action, RemediationResult]>) {
    const rec = r.record;
    if (r.outcome !== 'applied' || !rec || action === 'rollback') continue;
    const why: string[] = [];
    if (pods?.ready !== undefined && pods.ready < rec.readyReplicas)
      why.push(`${pods.ready} Ready pods, ${rec.readyReplicas} before`);
    if (endpoints !== undefined && endpoints < rec.endpoints)
      why.push(`${endpoints} ready endpoints, ${rec.endpoints} before`);
    // Pods failing where none did: the pods the action created crash-loop or cannot pull (a workload that served
    // nothing before is not made worse by them; it is still broken, and verification says so).
    const servedBefore = rec.readyReplicas > 0 || rec.endpoints > 0;
    if (servedBefore && faultyBefore === 0 && (pods?.faulty ?? 0) > 0)
      why.push(
        `${pods!.faulty} pod${pods!.faulty === 1 ? '' : 's'} failing where none did before (${h.verification['pod-status']!.summary})`
      );
    if (why.length > 0) return { action, record: rec, why: why.join('; ') };
  }
  return undefined;
}

/** Asks remediate-rollback to undo the action, or stops at once when it cannot be undone (a pod deletion). */
export function startRollback(state: TargetState, h: Healing, env: Env, w: Worse): Reaction {
  const where = `${h.target.namespace}/${h.target.service}`;
  const params = UNDO[w.action]?.(w.record);
  if (!params) {
    const cannot = w.action === 'restart_pods' || w.action === 'cleanup_failed_pods';
    return fail(state, h, env, {
      kind: 'failed',
      code: 'escalated',
      reason: `${w.action} made ${where} worse (${w.why}), and ${cannot ? 'deleted pods cannot be brought back' : 'the record holds nothing to go back to'}: Cortex stops here, escalated to a human`,
      manualSteps: [
        `Before ${w.action}: ${w.record.readyReplicas} Ready pods, ${w.record.endpoints} ready endpoints, ${w.record.replicas} replicas (revision ${w.record.revision ?? '?'}).`,
        `kubectl rollout history deployment/${w.record.deployment} -n ${h.target.namespace}`,
        `kubectl get pods -n ${h.target.namespace} -o wide`
      ],
      rolledBack: false
    });
  }
  const reason = `${w.action} made it worse: ${w.why}`;
  const attempt = (h.attempts ?? 0) + 1;
  const next: Healing = {
    ...h,
    phase: 'rollback',
    deadline: iso(env.now, env.healing.remediateTimeoutMs),
    requested: [...h.requested, { action: 'rollback', params: { undo: w.action, ...params }, reason }],
    attempts: attempt,
    rollback: { undo: w.action, why: w.why, record: w.record }
  };
  return {
    state: { ...state, active: next },
    intents: [
      progress(next, 'rollback', `${reason}; rolling it back`, 0, 1, { action: 'rollback', undo: w.action }),
      Events.RemediationRequested.rollback.intent({
        healingId: h.id,
        target: h.target,
        params: { undo: w.action, ...params },
        dryRun: env.dryRun,
        reason,
        attempt
      })
    ]
  };
}

/** The rollback answered: verify again when it changed something, else end with what a human must do. */
export function rollbackAnswered(state: TargetState, h: Healing, env: Env, r: RemediationResult): Reaction {
  const rb = { ...h.rollback!, result: r };
  const base: Healing = { ...h, rollback: rb, remediation: { ...h.remediation, rollback: r } };
  if (r.outcome !== 'applied' && r.outcome !== 'noop')
    return fail(state, base, env, {
      kind: 'failed',
      code: 'escalated',
      reason: `${rb.undo} made ${h.target.namespace}/${h.target.service} worse (${rb.why}), and its rollback did not run (${r.outcome}: ${r.summary}): escalated to a human`,
      manualSteps: r.manualSteps,
      rolledBack: false
    });
  return toVerify(
    state,
    { ...base, verification: {} },
    env.now,
    env.healing.verifyTimeoutMs,
    `rolled back (${r.summary}); verifying ${VERIFY_CHECKS.join(' and ')} again`,
    2
  );
}

/** Verified after the rollback: the healing ends `rolled_back`, with what was undone and how the target is now. */
export function rolledBack(state: TargetState, h: Healing, env: Env): Reaction {
  const rb = h.rollback!;
  const r = rb.result!;
  const now = Object.entries(h.verification)
    .map(([c, v]) => `${c}: ${v!.summary}`)
    .join('; ');
  const ready = h.verification['pod-status']?.observed?.ready;
  const back = ready !== undefined && ready >= rb.record.readyReplicas;
  const where = `${h.target.namespace}/${h.target.service}`;
  return fail(state, h, env, {
    kind: 'failed',
    code: 'rolled_back',
    reason: `${rb.undo} made ${where} worse (${rb.why}); Cortex rolled it back: ${r.summary}. ${back ? 'Ready count back to' : 'Ready count not back to'} ${rb.record.readyReplicas} (now ${ready ?? '?'}); after the rollback: ${now}`,
    manualSteps: [
      `Cortex undid ${rb.undo} and will not try it again for this fault: find why ${rb.undo} made ${where} worse before changing it again.`,
      `kubectl rollout history deployment/${rb.record.deployment} -n ${h.target.namespace}`,
      `kubectl describe deployment/${rb.record.deployment} -n ${h.target.namespace}`,
      ...r.manualSteps
    ],
    rolledBack: true,
    undone: r.changes
  });
}
