import type { Scenario } from '../scenario.js';
import { faults, MCP_DEMO, MCP_TOOLS, mutatingBut, scale, single } from './build.js';

/*
 * Safer fixes (DESIGN §12): a risky action waits for a human, and a fix that made things worse is undone.
 */

export const SAFETY_SCENARIOS: Scenario[] = [
  single(
    'approval/expired',
    'a workload labelled cortex.dev/approval=required scaled to zero, nobody approves: the dry-run diff asked for, escalated at expiry, nothing written',
    MCP_DEMO,
    [{ kind: 'meta', workload: MCP_DEMO, labels: { 'cortex.dev/approval': 'required' } }, scale(MCP_DEMO, 0)],
    {
      outcome: 'failed',
      actions: ['scale_up'],
      forbidden: mutatingBut('scale_up'),
      says: 'nobody approved',
      after: { replicas: 0 }
    },
    { stack: { approvalTtlMs: 3_000 }, writes: { max: 0 }, dryRunWrites: { min: 1 } }
  ),
  single(
    'rollback/bad-rollout',
    'stale endpoints and a bad rollout waiting (new pods crash-loop): the restart makes it worse, rolled back to the original template, no second attempt',
    MCP_TOOLS,
    [
      { kind: 'meta', workload: MCP_TOOLS, annotations: { 'sim.cortex.dev/fault-on-new-template': 'crashloop' } },
      faults(MCP_TOOLS, 'endpoints-stale')
    ],
    {
      outcome: 'failed',
      actions: ['rollout_restart', 'rollback'],
      forbidden: mutatingBut('rollout_restart'),
      says: 'rolled it back'
    },
    { writes: { min: 2, max: 2 }, timeLimitMs: 60_000 }
  )
];
