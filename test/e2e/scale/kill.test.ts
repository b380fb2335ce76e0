import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditedWrite } from '../../../local/kube-sim/index.js';
import { errorReport, publish, type StreamedEvent } from '../../helpers/stack.js';
import { scale, startScaledStack, type ScaledStack } from '../../helpers/scaled.js';

/*
 * kill -9 of a coordinator replica during a healing, at each stage (DESIGN §11): after healing.started, during
 * diagnosis, after the remediation request. Every healing completes exactly once, the surviving replicas pick up
 * (their ticks fire the deadlines; the broker redelivers what the dead one held), and no action is applied twice:
 * the simulator's writes per healing equal those of the same healing without a kill.
 */

const target = { namespace: 'demo', service: 'mcp-tools' };
const isOutcome = (e: StreamedEvent): boolean =>
  (e.type === 'dev.cortex.healing.completed' || e.type === 'dev.cortex.healing.failed') &&
  (e.data.target as { service: string }).service === target.service;

interface Run {
  healingId: string;
  outcome: StreamedEvent;
  events: StreamedEvent[];
  writes: string[];
}

describe('e2e scale: kill -9 of a coordinator replica mid-healing', () => {
  let s: ScaledStack;
  const writes: AuditedWrite[] = [];

  beforeAll(async () => {
    s = await startScaledStack('healing-coordinator=3', { CORTEX_HEALING_BUDGET: '20' });
    s.stack.sim.onWrite((w) => writes.push(w));
  }, 180_000);
  afterAll(async () => {
    await s?.stop();
  });

  /** One healing of a Deployment scaled to zero; `kill` picks the moment a replica dies. */
  async function heal(sessionId: string, kill?: { when: (e: StreamedEvent) => boolean; replica: number }): Promise<Run> {
    await scale(s.stack, target.service, 0);
    const after = s.ops.events().length;
    const mark = writes.length;
    expect(await publish(s.stack, errorReport(target, { sessionId }))).toBe(202);
    const coordinators = s.stack.replicas.get('healing-coordinator')!;
    if (kill) {
      await s.ops.until((ev) => ev.slice(after).some(kill.when), 60_000);
      await coordinators.kill(kill.replica, 'SIGKILL');
    }
    await s.ops.until((ev) => ev.slice(after).some(isOutcome), 120_000);
    // Late duplicates (a second remediation, a second outcome) would show within a few seconds.
    await new Promise((r) => setTimeout(r, 3_000));
    if (kill) await coordinators.start(kill.replica);
    const events = s.ops.events().slice(after);
    const outcome = events.find(isOutcome)!;
    const applied = writes
      .slice(mark)
      .filter((w) => w.code < 300 && !w.dryRun)
      .map((w) => `${w.verb} ${w.resource} ${w.namespace}/${w.name ?? ''}`);
    return { healingId: outcome.data.healingId as string, outcome, events, writes: applied };
  }

  const of = (run: Run, type: string): StreamedEvent[] =>
    run.events.filter((e) => e.type === type && e.data.healingId === run.healingId);

  it('completes every healing exactly once, applying each action once, whichever stage the replica dies at', async () => {
    // Prepare: the same healing with no kill
    const baseline = await heal('no-kill');
    const stages: Array<[string, (e: StreamedEvent) => boolean]> = [
      ['after healing.started', (e) => e.type === 'dev.cortex.healing.started'],
      ['during diagnosis', (e) => e.type === 'dev.cortex.diagnosis.completed'],
      ['after the remediation request', (e) => e.type === 'dev.cortex.remediation.scale_up.requested']
    ];
    // Act
    const runs: Array<[string, Run]> = [];
    for (const [i, [stage, when]] of stages.entries()) runs.push([stage, await heal(`kill-${i}`, { when, replica: i })]);
    // Assess
    expect(baseline.outcome.type).toBe('dev.cortex.healing.completed');
    expect(baseline.writes).toEqual(['patch deployments.apps/scale demo/mcp-tools']);
    for (const [stage, run] of runs) {
      const summary = { stage, outcome: run.outcome.type, actions: run.outcome.data.actions, writes: run.writes };
      expect(summary).toEqual({
        stage,
        outcome: 'dev.cortex.healing.completed',
        actions: ['scale_up'],
        writes: baseline.writes
      });
      expect(of(run, 'dev.cortex.healing.started'), stage).toHaveLength(1);
      expect(run.events.filter(isOutcome), stage).toHaveLength(1);
      expect(of(run, 'dev.cortex.remediation.scale_up.requested'), stage).toHaveLength(1);
      expect(of(run, 'dev.cortex.remediation.completed'), stage).toHaveLength(1);
    }
  }, 600_000);
});
