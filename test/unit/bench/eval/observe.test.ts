import { describe, expect, it } from 'vitest';
import { observe, settled, unexpected, type SeenEvent } from '../../../../bench/eval/observe.js';

const w = { namespace: 'demo', name: 'mcp-demo' };
const target = { namespace: 'demo', service: 'mcp-demo' };
let n = 0;
const ev = (type: string, data: Record<string, unknown>, time?: string): SeenEvent => ({
  type: `dev.cortex.${type}`,
  id: `e${++n}`,
  ...(time ? { time } : {}),
  data: { target, ...data }
});
const started = (healingId: string) => ev('healing.started', { healingId });
const asked = (healingId: string, action: string) => ev(`remediation.${action}.requested`, { healingId });
const answered = (healingId: string, action: string, outcome: string) =>
  ev('remediation.completed', { healingId, action, outcome });

describe('eval: reading an outcome off the operator stream', () => {
  it('healed: completed after an action, timed by the terminal event, with every action and its answer', () => {
    // Act
    const o = observe(
      [
        started('h1'),
        asked('h1', 'scale_up'),
        answered('h1', 'scale_up', 'applied'),
        ev('healing.completed', { healingId: 'h1', actions: ['scale_up'], summary: 'scaled' }, '2026-01-01T00:00:01.500Z')
      ],
      w
    );

    // Assess
    expect(o).toEqual({
      outcome: 'healed',
      healingIds: ['h1'],
      actions: [{ action: 'scale_up', answer: 'applied' }],
      text: 'scaled',
      manualSteps: [],
      at: Date.parse('2026-01-01T00:00:01.500Z'),
      beforeRootCause: []
    });
  });

  it('no action: completed without one', () => {
    // Act
    const o = observe([started('h1'), ev('healing.completed', { healingId: 'h1', actions: [], summary: 'healthy now' })], w);

    // Assess
    expect(o.outcome).toBe('no_action');
  });

  it('failed is told apart by what happened: denied remediation, no run at all (escalated), anything else', () => {
    // Prepare
    const failed = (id: string) => ev('healing.failed', { healingId: id, reason: 'r', manualSteps: ['do it'] });

    // Act
    const denied = observe([started('h1'), asked('h1', 'scale_up'), answered('h1', 'scale_up', 'denied'), failed('h1')], w);
    const escalated = observe([failed('h2')], w);
    const manual = observe(
      [started('h3'), asked('h3', 'report_oom'), answered('h3', 'report_oom', 'manual'), failed('h3')],
      w
    );
    const unanswered = observe([started('h4'), asked('h4', 'restart_pods'), failed('h4')], w);

    // Assess
    expect([denied.outcome, escalated.outcome, manual.outcome, unanswered.outcome]).toEqual([
      'denied',
      'escalated',
      'failed',
      'failed'
    ]);
    expect(manual.manualSteps).toEqual(['do it']);
    expect(unanswered.actions).toEqual([{ action: 'restart_pods' }]);
  });

  it("a healing.failed's reasonCode wins over what the run shows", () => {
    // Act
    const byCode = (reasonCode: string) =>
      observe([started('h1'), ev('healing.failed', { healingId: 'h1', reason: 'r', reasonCode })], w).outcome;

    // Assess
    expect([byCode('escalated'), byCode('denied'), byCode('verify_failed'), byCode('manual')]).toEqual([
      'escalated',
      'denied',
      'failed',
      'failed'
    ]);
  });

  it("absorbed: no run, and the report's session is told the outcome of the last one", () => {
    // Prepare
    const joined = (sessionIds: string[]) =>
      ev('healing.progress', {
        healingId: 'h0',
        stage: 'joined',
        sessionIds,
        outcome: { status: 'completed', summary: 'scaled' }
      });

    // Act
    const mine = observe([joined(['s-1'])], w, 's-1');
    const other = observe([joined(['s-2'])], w, 's-1');
    const ranAnyway = observe([joined(['s-1']), started('h5')], w, 's-1');

    // Assess
    expect(mine).toMatchObject({ outcome: 'absorbed', text: 'scaled', healingIds: [] });
    expect(other.outcome).toBe('none');
    expect(ranAnyway.outcome).toBe('none');
  });

  it('reads the root cause, and the actions taken before the dependency it waited for was healed', () => {
    // Prepare
    const pg = { namespace: 'demo', service: 'postgres' };
    const child = ev('healing.started', { healingId: 'h2', parentHealingId: 'h1', target: pg });
    const childDone = ev('healing.completed', { healingId: 'h2', actions: ['scale_up'], target: pg });
    const done = ev('healing.completed', {
      healingId: 'h1',
      actions: ['restart_pods'],
      rootCause: { kind: 'dependency', object: 'demo/postgres', evidence: [] }
    });
    // Act
    const inOrder = observe([started('h1'), child, childDone, asked('h1', 'restart_pods'), done], w);
    const early = observe([started('h1'), asked('h1', 'restart_pods'), child, childDone, done], w);
    // Assess
    expect(inOrder).toMatchObject({ outcome: 'healed', rootCause: 'demo/postgres', beforeRootCause: [] });
    expect(early.beforeRootCause).toEqual(['restart_pods']);
  });

  it('settled only once there is an outcome and every run of the workload has ended', () => {
    // Assess
    expect(settled([started('h1')], w)).toBe(false);
    expect(settled([started('h1'), ev('healing.completed', { healingId: 'h1', actions: [] })], w)).toBe(true);
    expect(settled([started('h1'), ev('healing.completed', { healingId: 'h1', actions: [] }), started('h2')], w)).toBe(
      false
    );
  });

  it('names the workloads that got a run or an escalation without being expected to', () => {
    // Prepare
    const other = (type: string) => ({
      ...ev(type, { healingId: 'x' }),
      data: { healingId: 'x', target: { namespace: 'demo', service: 'mcp-tools' } }
    });

    // Act
    const found = unexpected([started('h1'), other('healing.started'), other('healing.progress')], [w]);
    const escalatedOnly = unexpected([other('healing.failed')], [w]);

    // Assess
    expect(found).toEqual([{ namespace: 'demo', name: 'mcp-tools' }]);
    expect(escalatedOnly).toEqual([{ namespace: 'demo', name: 'mcp-tools' }]);
    expect(unexpected([started('h1')], [w])).toEqual([]);
  });
});
