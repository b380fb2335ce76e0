import { CloudEvent } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack/index.js';
import { startLocalStack } from '../../../local/stack/index.js';
import { Events } from '../../../shared/events/catalog.js';
import { loadConfig } from '../../../shared/runtime/config.js';
import { runCli } from '../../helpers/cli.js';
import { kubectl } from '../../helpers/kubectl.js';
import { signed } from '../../helpers/signing.js';
import type { SseClient } from '../../helpers/sse.js';
import {
  cloudEvents,
  errorReport,
  operatorStream,
  outcomeFor,
  publish,
  testStackEnv,
  type StreamedEvent
} from '../../helpers/stack.js';

/*
 * Approvals end to end (DESIGN §12) on the one-command stack: a workload labelled cortex.dev/approval=required is
 * scaled to zero as a user would (kubectl), one failure is reported, and the operator decides with the `cortex` CLI.
 * What Cortex wrote is read from the simulated cluster; what it said, from the operator stream.
 */

const TARGET = { namespace: 'demo', service: 'mcp-tools' };
/** Long enough for a loaded machine to decide in time, short enough to watch one expire. */
const APPROVAL_TTL_MS = 20_000;

type Deployment = { metadata: { generation: number }; spec: { replicas: number } };

describe('e2e: approval of a risky action', () => {
  let stack: LocalStack;
  let ops: SseClient;
  let k: (...args: string[]) => Promise<string>;
  let cli: (...argv: string[]) => ReturnType<typeof runCli>;
  const deployment = (): Deployment => stack.sim.get('Deployment', 'demo', 'mcp-tools') as unknown as Deployment;
  const until = (what: string, ok: () => boolean, timeoutMs = 30_000): Promise<unknown> =>
    stack.sim.waitFor(ok, { timeoutMs, message: what });

  /** Scales mcp-tools to zero and reports it; resolves with the approval request the healing asks. */
  async function scaledToZeroAndReported(): Promise<{ after: number; request: StreamedEvent }> {
    await k('scale', 'deploy/mcp-tools', '--replicas=0');
    await until('mcp-tools at 0 pods', () => stack.sim.list('Pod', 'demo', 'app=mcp-tools').length === 0);
    const after = cloudEvents(ops).length;
    expect(await publish(stack, errorReport(TARGET))).toBe(202);
    const request = await approvalRequest(after);
    return { after, request };
  }

  async function approvalRequest(after: number, skip = 0): Promise<StreamedEvent> {
    const is = (e: StreamedEvent): boolean => e.type === Events.ApprovalRequested.type;
    await ops.until((c) => cloudEvents(c).slice(after).filter(is).length > skip, 60_000);
    return cloudEvents(ops).slice(after).filter(is)[skip]!;
  }

  const decision = (data: Record<string, unknown>, id = `decided-${Math.random().toString(36).slice(2)}`) =>
    new CloudEvent<unknown>({
      specversion: '1.0',
      id,
      source: '/cortex/approvals',
      type: Events.ApprovalDecided.type,
      datacontenttype: 'application/json',
      data
    });

  beforeAll(async () => {
    const env = testStackEnv({ CORTEX_APPROVAL_TTL_MS: String(APPROVAL_TTL_MS), CORTEX_HEALING_BUDGET: '10' });
    stack = await startLocalStack({ overrides: env });
    const config = loadConfig({ CORTEX_STATE_DIR: env.CORTEX_STATE_DIR! });
    cli = (...argv) => runCli(argv, { config: () => config });
    ops = await operatorStream(stack);
    k = async (...args) => {
      const r = await kubectl(stack.state.kubeconfig, ['-n', 'demo', ...args]);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    await k('label', 'deploy/mcp-tools', 'cortex.dev/approval=required', '--overwrite');
  });
  afterAll(async () => {
    ops?.close();
    await stack?.stop();
  });

  it('scale to zero → approval.requested with the dry-run diff while the Deployment stays at 0; cortex approve → scaled up, verified, completed', async () => {
    // Prepare
    const { after, request } = await scaledToZeroAndReported();
    // Assess: the request, the wait on the session stream, nothing changed
    expect(request.data).toMatchObject({ action: 'scale_up', target: TARGET, object: 'deployments/mcp-tools' });
    expect(request.data.diff).toEqual([
      expect.objectContaining({ op: 'replace', path: 'deployments/mcp-tools/scale:/spec/replicas', from: 0 })
    ]);
    expect(request.data.why).toContain('cortex.dev/approval=required');
    expect(request.data.digest).toMatch(/^[a-f0-9]{64}$/);
    const isWait = (e: StreamedEvent): boolean => e.type === Events.HealingProgress.type && e.data.stage === 'approval';
    await ops.until((c) => cloudEvents(c).slice(after).some(isWait), 30_000);
    const waiting = cloudEvents(ops).slice(after).find(isWait);
    expect(waiting?.data.message).toContain('waiting for an operator to approve scale_up');
    expect(deployment().spec.replicas).toBe(0);
    const listed = await cli('approvals');
    expect(listed.code, listed.stderr.join('\n')).toBe(0);
    expect(listed.stdout.join('\n')).toContain(String(request.data.approvalId));
    expect(listed.stdout.join('\n')).toMatch(/~ deployments\/mcp-tools\/scale:\/spec\/replicas: 0 → \d/);
    // Act
    const approved = await cli(
      'approve',
      String(request.data.approvalId),
      '--reason',
      'maintenance is over',
      '--by',
      'alice'
    );
    const outcome = await outcomeFor(ops, 'mcp-tools', after, 90_000);
    // Assess
    expect(approved.code, approved.stderr.join('\n')).toBe(0);
    expect(outcome.type, JSON.stringify(outcome.data)).toBe('dev.cortex.healing.completed');
    expect(outcome.data.actions).toContain('scale_up');
    expect(deployment().spec.replicas).toBeGreaterThan(0);
    const applied = cloudEvents(ops)
      .slice(after)
      .find((e) => e.type === Events.RemediationCompleted.type && e.data.outcome === 'applied');
    expect(applied?.data.audit).toMatchObject({ approvedBy: 'operator:alice', approvalId: request.data.approvalId });
    expect(applied?.data.record).toMatchObject({ deployment: 'mcp-tools', replicas: 0, readyReplicas: 0 });
    // A decision once taken cannot be taken again.
    const again = await cli('approve', String(request.data.approvalId));
    expect(again.code).toBe(1);
    expect(again.stderr.join('\n')).toContain('409');
  });

  it('cortex deny → healing.failed approval_denied with the reason; nothing changed', async () => {
    // Prepare
    const { after, request } = await scaledToZeroAndReported();
    // Act
    const denied = await cli('deny', String(request.data.approvalId), '--reason', 'planned downtime until noon');
    const outcome = await outcomeFor(ops, 'mcp-tools', after, 60_000);
    // Assess
    expect(denied.code, denied.stderr.join('\n')).toBe(0);
    expect(outcome.type).toBe('dev.cortex.healing.failed');
    expect(outcome.data.reasonCode).toBe('approval_denied');
    expect(String(outcome.data.reason)).toContain('planned downtime until noon');
    expect(deployment().spec.replicas).toBe(0);
  });

  it('unsigned, forged and replayed decisions and an approval of a target that moved are refused, nothing applied', async () => {
    // Prepare
    const { after, request } = await scaledToZeroAndReported();
    const fields = {
      approvalId: request.data.approvalId,
      healingId: request.data.healingId,
      target: TARGET,
      action: 'scale_up',
      digest: request.data.digest,
      decision: 'approve',
      decidedBy: 'operator:mallory',
      decidedAt: new Date().toISOString(),
      reason: ''
    };
    // Act: straight to the broker, unsigned, then signed with a key that is not the approval key
    expect(await publish(stack, decision(fields))).toBe(202);
    expect(await publish(stack, decision(signed('f0'.repeat(32), Events.ApprovalDecided.type, fields)))).toBe(202);
    // Assess: still waiting, still at zero
    await new Promise((r) => setTimeout(r, 2_000));
    expect(deployment().spec.replicas).toBe(0);
    expect(
      cloudEvents(ops)
        .slice(after)
        .some((e) => e.type.startsWith('dev.cortex.remediation.scale_up'))
    ).toBe(true);
    const asked = cloudEvents(ops)
      .slice(after)
      .filter((e) => e.type === Events.RemediationRequested.scale_up.type);
    expect(asked).toHaveLength(1);
    // Act: the target moves (its pod template changes), then an operator approves what it was
    await k('set', 'env', 'deploy/mcp-tools', 'MOVED=1');
    const moved = deployment().metadata.generation;
    const approved = await cli('approve', String(request.data.approvalId));
    expect(approved.code, approved.stderr.join('\n')).toBe(0);
    // Assess: not applied; the healing asks again, with a new request computed on the target as it is now
    const second = await approvalRequest(after, 1);
    expect(second.data.approvalId).not.toBe(request.data.approvalId);
    expect(second.data.generation).toBe(moved);
    const stale = cloudEvents(ops)
      .slice(after)
      .find((e) => e.type === Events.RemediationCompleted.type && e.data.outcome === 'approval_stale');
    expect(stale?.data.summary).toContain('moved from generation');
    expect(deployment().spec.replicas).toBe(0);
    // Act: the first (real, signed) decision replayed under a new id, as `cortex replay --new-ids` would send it
    const real = cloudEvents(ops)
      .slice(after)
      .find((e) => e.type === Events.ApprovalDecided.type && e.data.approvalId === request.data.approvalId)!;
    expect(await publish(stack, decision(real.data))).toBe(202);
    await new Promise((r) => setTimeout(r, 2_000));
    // Assess: still waiting on the second request, nothing applied
    expect(deployment().spec.replicas).toBe(0);
    expect(
      cloudEvents(ops)
        .slice(after)
        .filter((e) => e.type === Events.RemediationCompleted.type && e.data.outcome === 'applied')
    ).toHaveLength(0);
    // Cleanup: deny the second request so the healing ends
    await cli('deny', String(second.data.approvalId), '--reason', 'end of test');
    await outcomeFor(ops, 'mcp-tools', after, 60_000);
  });

  it('no decision by expiresAt → healing.failed approval_expired (escalated), nothing changed', async () => {
    // Prepare
    const { after, request } = await scaledToZeroAndReported();
    // Act
    const outcome = await outcomeFor(ops, 'mcp-tools', after, APPROVAL_TTL_MS + 30_000);
    // Assess
    expect(outcome.type).toBe('dev.cortex.healing.failed');
    expect(outcome.data.reasonCode).toBe('approval_expired');
    expect(String(outcome.data.reason)).toContain('escalated');
    expect(deployment().spec.replicas).toBe(0);
    const late = await cli('approve', String(request.data.approvalId));
    expect(late.code).toBe(1);
  });
});
