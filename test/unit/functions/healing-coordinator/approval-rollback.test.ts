import { describe, expect, it } from 'vitest';
import type { Input } from '../../../../functions/healing-coordinator/input.js';
import { approvalDigest } from '../../../../shared/approval/digest.js';
import type { Action, CheckName, Observed, PreActionRecord } from '../../../../shared/events/schemas.js';
import { at, diagnoseAll, env, ofType, run, T0, target, request } from '../../../helpers/saga.js';

/*
 * The coordinator's side of approvals and rollback (DESIGN §12), on the pure saga: what it asks, what a decision
 * does, when it stops, and how a fix that made things worse is undone.
 */

const SPEC = 'b'.repeat(64);
const need = {
  object: 'deployments/mcp-demo',
  diff: [{ op: 'replace', path: '/spec/replicas', value: 1, from: 0 }],
  generation: 4,
  specDigest: SPEC,
  why: 'the workload is labelled cortex.dev/approval=required'
} as const;

const answer = (
  healingId: string,
  action: Action,
  outcome: string,
  extra: Record<string, unknown> = {},
  key = `${healingId}-${action}-${outcome}-${Math.random()}`
): Input =>
  ({
    kind: 'remediation',
    key,
    data: { healingId, action, outcome, summary: `${action} ${outcome}`, changes: [], manualSteps: [], target, ...extra }
  }) as Input;

const check = (healingId: string, c: CheckName, phase: 'diagnose' | 'verify', verdict: string, observed: Observed): Input =>
  ({
    kind: 'diagnosis',
    key: `${healingId}-${phase}-${c}-${Math.random()}`,
    data: { healingId, check: c, phase, verdict, summary: `${c} ${verdict}`, evidence: [], observed, target }
  }) as Input;

type Requested = { approvalId: string; digest: string; expiresAt: string; diff: unknown[]; generation: number };

/** A healing of a scale to zero whose scale_up answered approval_required. */
function waitingForApproval(id = 'h-ap') {
  const e = env(T0, id);
  const r = run([
    [request('r1'), e],
    ...diagnoseAll(id, { 'deployment-config': 'scale_up' }),
    [answer(id, 'scale_up', 'approval_required', { approval: need })]
  ]);
  return { ...r, e, asked: ofType<Requested>(r.intents, 'approval.requested')[0]! };
}

const decided = (id: string, req: Requested, decision: 'approve' | 'deny', over: Record<string, unknown> = {}): Input => ({
  kind: 'approval',
  key: `dec-${Math.random()}`,
  data: {
    approvalId: req.approvalId,
    healingId: id,
    target,
    action: 'scale_up',
    digest: req.digest,
    decision,
    decidedBy: 'operator:alice',
    decidedAt: at(60_000).toISOString(),
    reason: decision === 'deny' ? 'maintenance window' : '',
    ...over
  }
});

describe('coordinator: approvals', () => {
  it('approval_required → approval.requested with the diff, the generation, an expiry and a digest of all of it; the healing waits', () => {
    // Act
    const { state, intents, asked } = waitingForApproval();
    // Assess
    expect(asked).toMatchObject({ action: 'scale_up', diff: need.diff, generation: 4, specDigest: SPEC });
    expect(asked.expiresAt).toBe(new Date(T0.getTime() + 15 * 60_000).toISOString());
    expect(asked.digest).toBe(approvalDigest(asked as unknown as Record<string, unknown>));
    expect(state.active?.phase).toBe('approval');
    expect(ofType<{ stage: string }>(intents, 'healing.progress').some((p) => p.stage === 'approval')).toBe(true);
  });

  it('an approval naming the digest asks the remediation again with the approval attached, as a new attempt', () => {
    // Prepare
    const { state, asked } = waitingForApproval('h-ok');
    // Act
    const r = run([[decided('h-ok', asked, 'approve'), env(at(60_000), 'x')]], state);
    // Assess
    const again = ofType<{ attempt: number; approval: Record<string, unknown> }>(
      r.intents,
      'remediation.scale_up.requested'
    );
    expect(again).toHaveLength(1);
    expect(again[0]!.attempt).toBe(2);
    expect(again[0]!.approval).toMatchObject({
      approvalId: asked.approvalId,
      decidedBy: 'operator:alice',
      generation: 4,
      specDigest: SPEC
    });
    expect(r.state.active?.phase).toBe('remediate');
  });

  it('a decision with another digest, another action or for another request changes nothing', () => {
    // Prepare
    const { state, asked } = waitingForApproval('h-x');
    // Act
    const r = run(
      [
        [decided('h-x', asked, 'approve', { digest: 'c'.repeat(64) })],
        [decided('h-x', asked, 'approve', { action: 'rollout_restart' })],
        [decided('h-x', asked, 'approve', { approvalId: 'other' })]
      ],
      state
    );
    // Assess
    expect(r.intents).toEqual([]);
    expect(r.state.active?.phase).toBe('approval');
  });

  it('a denial ends the healing approval_denied with who and why; nothing is asked again', () => {
    // Prepare
    const { state, asked } = waitingForApproval('h-no');
    // Act
    const r = run([[decided('h-no', asked, 'deny')]], state);
    // Assess
    const [failed] = ofType<{ reasonCode: string; reason: string }>(r.intents, 'healing.failed');
    expect(failed?.reasonCode).toBe('approval_denied');
    expect(failed?.reason).toContain('operator:alice (maintenance window)');
    expect(ofType(r.intents, 'remediation.scale_up.requested')).toHaveLength(0);
  });

  it('no decision by expiresAt: approval_expired, escalated', () => {
    // Prepare
    const { state } = waitingForApproval('h-late');
    // Act
    const early = run([[{ kind: 'tick', key: 't1' }, env(at(14 * 60_000), 't1')]], state);
    const late = run([[{ kind: 'tick', key: 't2' }, env(at(15 * 60_000 + 1), 't2')]], state);
    // Assess
    expect(early.intents).toEqual([]);
    expect(ofType<{ reasonCode: string; reason: string }>(late.intents, 'healing.failed')[0]).toMatchObject({
      reasonCode: 'approval_expired',
      reason: expect.stringContaining('escalated')
    });
  });

  it('approval_stale (the target moved): the action is asked again without approval, so a human approves it as it is now', () => {
    // Prepare
    const { state, asked } = waitingForApproval('h-st');
    const approved = run([[decided('h-st', asked, 'approve')]], state);
    // Act
    const r = run(
      [[answer('h-st', 'scale_up', 'approval_stale', { summary: 'moved from generation 4 to 5' })]],
      approved.state
    );
    // Assess
    const again = ofType<{ attempt: number; approval?: unknown }>(r.intents, 'remediation.scale_up.requested');
    expect(again).toHaveLength(1);
    expect(again[0]!.approval).toBeUndefined();
    expect(again[0]!.attempt).toBe(3);
  });
});

const RECORD: PreActionRecord = {
  deployment: 'mcp-demo',
  replicas: 2,
  readyReplicas: 2,
  endpoints: 2,
  revision: '1',
  generation: 3
};

/** A healing that applied `action` (with its record) after a diagnosis whose pods did not fail. */
function applied(id: string, action: Action) {
  const e = env(T0, id);
  const diag = diagnoseAll(id, { 'service-endpoints': action }).map(([i]) =>
    (i as { data: { check: string } }).data.check === 'pod-status'
      ? ([check(id, 'pod-status', 'diagnose', 'healthy', { ready: 2, faulty: 0 })] as [Input])
      : ([i] as [Input])
  );
  return run([[request('r1'), e], ...diag, [answer(id, action, 'applied', { record: RECORD })]]);
}

describe('coordinator: rollback of a fix that made things worse', () => {
  it('new pods crash-loop where none did: remediate-rollback to the recorded revision, verify again, healing.failed rolled_back', () => {
    // Prepare
    const id = 'h-rb';
    const restarted = applied(id, 'rollout_restart');
    // Act
    const verified = run(
      [
        [check(id, 'pod-status', 'verify', 'problem', { ready: 2, faulty: 1 })],
        [check(id, 'service-endpoints', 'verify', 'problem', { endpoints: 0 })]
      ],
      restarted.state
    );
    const rolled = run(
      [
        [answer(id, 'rollback', 'applied', { changes: [{ verb: 'patch', object: 'deployments/mcp-demo' }] })],
        [check(id, 'pod-status', 'verify', 'healthy', { ready: 2, faulty: 0 })],
        [check(id, 'service-endpoints', 'verify', 'problem', { endpoints: 0 })]
      ],
      verified.state
    );
    // Assess
    const [rb] = ofType<{ params: unknown; attempt: number; reason: string }>(
      verified.intents,
      'remediation.rollback.requested'
    );
    expect(rb?.params).toEqual({ undo: 'rollout_restart', revision: '1' });
    expect(rb?.reason).toMatch(/1 pod failing where none did before; .*|ready endpoints/);
    const [failed] = ofType<{ reasonCode: string; rolledBack: boolean; undone: unknown[]; reason: string }>(
      rolled.intents,
      'healing.failed'
    );
    expect(failed).toMatchObject({
      reasonCode: 'rolled_back',
      rolledBack: true,
      undone: [{ verb: 'patch', object: 'deployments/mcp-demo' }]
    });
    expect(failed!.reason).toContain('Ready count back to 2');
    expect(rolled.intents.filter((i) => i.type.startsWith('dev.cortex.remediation.'))).toEqual([]);
    // The checks take a signed request once per healing, phase and attempt: the verify after the rollback is the second.
    expect(ofType(rolled.intents, 'diagnosis.requested')).toEqual([]);
    expect(ofType<{ phase: string; attempt?: number }>(rolled.intents, 'verification.requested')).toEqual([
      expect.objectContaining({ phase: 'verify', attempt: 2 })
    ]);
    // The rollback counts against the budget like any mutating action; the restart is remembered as not healing.
    expect(rolled.state.actions?.map((a) => [a.action, a.outcome, a.result])).toEqual([
      ['rollout_restart', 'applied', 'not_healed'],
      ['rollback', 'applied', 'other']
    ]);
  });

  it('a scale that left fewer Ready pods goes back to the recorded replica count', () => {
    // Prepare
    const id = 'h-sc';
    const scaled = applied(id, 'scale_up');
    // Act
    const verified = run(
      [
        [check(id, 'pod-status', 'verify', 'problem', { ready: 1, faulty: 0 })],
        [check(id, 'service-endpoints', 'verify', 'healthy', { endpoints: 1 })]
      ],
      scaled.state
    );
    // Assess
    expect(ofType<{ params: unknown }>(verified.intents, 'remediation.rollback.requested')[0]?.params).toEqual({
      undo: 'scale_up',
      replicas: 2
    });
  });

  it('a pod deletion that made it worse cannot be undone: escalated at once, no rollback asked', () => {
    // Prepare
    const id = 'h-pd';
    const restarted = applied(id, 'restart_pods');
    // Act
    const verified = run(
      [
        [check(id, 'pod-status', 'verify', 'problem', { ready: 0, faulty: 2 })],
        [check(id, 'service-endpoints', 'verify', 'problem', { endpoints: 0 })]
      ],
      restarted.state
    );
    // Assess
    expect(ofType(verified.intents, 'remediation.rollback.requested')).toHaveLength(0);
    expect(
      ofType<{ reasonCode: string; rolledBack: boolean; reason: string }>(verified.intents, 'healing.failed')[0]
    ).toMatchObject({
      reasonCode: 'escalated',
      rolledBack: false,
      reason: expect.stringContaining('deleted pods cannot be brought back')
    });
  });

  it('still broken but no worse than the record: verify_failed, no rollback', () => {
    // Prepare
    const id = 'h-nw';
    const restarted = applied(id, 'rollout_restart');
    // Act
    const verified = run(
      [
        [check(id, 'pod-status', 'verify', 'healthy', { ready: 2, faulty: 0 })],
        [check(id, 'service-endpoints', 'verify', 'problem', { endpoints: 2 })]
      ],
      restarted.state
    );
    // Assess
    expect(ofType(verified.intents, 'remediation.rollback.requested')).toHaveLength(0);
    expect(ofType<{ reasonCode: string }>(verified.intents, 'healing.failed')[0]?.reasonCode).toBe('verify_failed');
  });
});
