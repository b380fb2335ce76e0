import { Events } from '../../shared/events/catalog.js';
import type { DataOf } from '../../shared/events/define.js';
import type { Action } from '../../shared/events/schemas.js';
import { approvalDigest } from '../../shared/approval/digest.js';
import { iso, progress } from './emit.js';
import { fail, type Reaction } from './outcomes.js';
import type { Env } from './saga.js';
import type { Healing, PendingApproval, RemediationResult, TargetState } from './state.js';

/*
 * Approvals on the coordinator's side (DESIGN §12), pure. A remediation that needs a human answers
 * `approval_required` with its dry-run diff; the healing then waits (phase `approval`) and asks for approval with a
 * digest of everything shown. A decision counts only when the approvals function signed it (the runtime checked that,
 * once per approvalId) and it names this request's digest; then the action is asked again with the approval attached.
 * A denial ends the healing (`approval_denied`), no decision by `expiresAt` escalates it (`approval_expired`). An
 * approved action the target moved away from (`approval_stale`) is asked again without approval, so the remediation
 * plans on the target as it is now and a human approves that.
 */

/** How many times an approved action may be found stale before the healing stops asking. */
export const MAX_STALE_ROUNDS = 3;

type Decided = DataOf<typeof Events.ApprovalDecided>;

/** The result of the action that waits for approval, if any. */
export const awaiting = (h: Healing): [Action, RemediationResult] | undefined =>
  (Object.entries(h.remediation) as Array<[Action, RemediationResult]>).find(
    ([, r]) => r.outcome === 'approval_required' || r.outcome === 'approval_stale'
  );

/** Asks one action again (a new attempt, a new signed request), with or without an approval. */
function askAgain(state: TargetState, h: Healing, env: Env, action: Action, approved?: Decided): Reaction {
  const planned = h.requested.find((a) => a.action === action)!;
  const { [action]: _dropped, ...remediation } = h.remediation;
  const attempt = (h.attempts ?? 0) + 1;
  const next: Healing = {
    ...h,
    phase: 'remediate',
    deadline: iso(env.now, env.healing.remediateTimeoutMs),
    remediation,
    attempts: attempt
  };
  const approval =
    approved && h.approval
      ? {
          approvalId: approved.approvalId,
          decidedBy: approved.decidedBy,
          decidedAt: approved.decidedAt,
          generation: h.approval.need.generation,
          specDigest: h.approval.need.specDigest
        }
      : undefined;
  return {
    state: { ...state, active: next },
    intents: [
      Events.RemediationRequested[action].intent({
        healingId: h.id,
        target: h.target,
        params: planned.params,
        dryRun: env.dryRun,
        reason: planned.reason,
        attempt,
        ...(approval ? { approval } : {})
      })
    ]
  };
}

/**
 * Every requested remediation answered and one waits for a human: ask for approval (or, when an approved one found
 * the target moved, ask the remediation again to plan on the target as it is now).
 */
export function askApproval(state: TargetState, h: Healing, env: Env, action: Action, r: RemediationResult): Reaction {
  if (r.outcome === 'approval_stale') {
    const rounds = (h.staleRounds ?? 0) + 1;
    if (rounds > MAX_STALE_ROUNDS)
      return fail(state, h, env, {
        kind: 'failed',
        code: 'manual',
        reason: `${action} was approved ${rounds - 1} times, and each time the target moved before it could be applied: ${r.summary}`,
        manualSteps: r.manualSteps
      });
    const again = askAgain(state, { ...h, staleRounds: rounds, approval: undefined }, env, action);
    return {
      ...again,
      intents: [
        progress(h, 'approval', `${action} not applied: ${r.summary}; planning it again on the target as it is now`, 0, 1),
        ...again.intents
      ]
    };
  }
  const planned = h.requested.find((a) => a.action === action)!;
  const need = r.approval!;
  const expiresAt = iso(env.now, env.healing.approvalTtlMs);
  const shown = {
    approvalId: `${h.id}:approval:${(h.attempts ?? 0) + 1}`,
    healingId: h.id,
    target: h.target,
    action,
    params: planned.params,
    reason: planned.reason,
    object: need.object,
    diff: need.diff,
    generation: need.generation,
    specDigest: need.specDigest,
    why: need.why,
    expiresAt
  };
  const digest = approvalDigest(shown);
  const pending: PendingApproval = {
    approvalId: shown.approvalId,
    action,
    params: planned.params,
    reason: planned.reason,
    need,
    expiresAt,
    digest
  };
  const next: Healing = { ...h, phase: 'approval', deadline: expiresAt, approval: pending };
  return {
    state: { ...state, active: next },
    intents: [
      Events.ApprovalRequested.intent({ ...shown, digest, sessionIds: h.sessionIds }),
      progress(
        next,
        'approval',
        `waiting for an operator to approve ${action} (${need.why}) until ${expiresAt}: ${r.summary}`,
        0,
        1,
        {
          approvalId: shown.approvalId,
          action
        }
      )
    ]
  };
}

/** An operator decided. Only a decision on the request this healing waits for, naming its digest, counts. */
export function approvalDecided(state: TargetState, h: Healing, env: Env, d: Decided): Reaction {
  const pending = h.approval;
  const none = { state, intents: [] };
  // A decision on another request, or on this one changed on the way (digest, action): nothing happens.
  if (h.phase !== 'approval' || !pending || pending.approvalId !== d.approvalId) return none;
  if (d.digest !== pending.digest || d.action !== pending.action) return none;
  const who = `${d.decidedBy}${d.reason ? ` (${d.reason})` : ''}`;
  if (d.decision === 'deny')
    return fail(state, h, env, {
      kind: 'failed',
      code: 'approval_denied',
      reason: `${pending.action} on ${h.target.namespace}/${h.target.service} was denied by ${who}; nothing was changed`,
      manualSteps: [
        `The operator's reason: ${d.reason || 'none given'}.`,
        `What Cortex would have changed (${pending.need.object}): ${pending.need.diff.map((x) => `${x.op} ${x.path}`).join(', ') || 'see the approval request'}.`
      ]
    });
  const again = askAgain(state, h, env, pending.action, d);
  return {
    ...again,
    intents: [
      progress(h, 'approval', `${pending.action} approved by ${who}: applying it if the target did not move`, 1, 1, {
        approvalId: d.approvalId,
        action: pending.action
      }),
      ...again.intents
    ]
  };
}

/** Nobody decided in time: the healing is escalated to a human, nothing was changed. */
export function approvalExpired(state: TargetState, h: Healing, env: Env): Reaction {
  const p = h.approval!;
  return fail(state, h, env, {
    kind: 'failed',
    code: 'approval_expired',
    reason: `nobody approved ${p.action} on ${h.target.namespace}/${h.target.service} before ${p.expiresAt}: escalated to a human, nothing was changed`,
    manualSteps: [
      `Approve it in time next time (cortex approvals; cortex approve <id>), or apply it by hand after a look at the diff of ${p.need.object}.`
    ]
  });
}
