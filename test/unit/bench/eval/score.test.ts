import { describe, expect, it } from 'vitest';
import type { AuditedWrite } from '../../../../local/kube-sim/index.js';
import type { Observed } from '../../../../bench/eval/observe.js';
import { countWrites } from '../../../../bench/eval/writes.js';
import type { Expectation, Scenario } from '../../../../bench/eval/scenario.js';
import { scoreScenario, scoreTarget, type WriteCount } from '../../../../bench/eval/score.js';

const w = { namespace: 'demo', name: 'mcp-demo' };
const observed = (o: Partial<Observed>): Observed => ({
  outcome: 'healed',
  healingIds: ['h1'],
  actions: [],
  text: '',
  manualSteps: [],
  beforeRootCause: [],
  ...o
});
const target = (expect: Omit<Expectation, 'workload'>, o: Partial<Observed>, replicasAfter = 1) =>
  scoreTarget({ round: 0, expect: { workload: w, ...expect }, observed: observed(o), reportedAt: 1_000, replicasAfter });
const noWrites: WriteCount = { count: 0, dryRun: 0, list: [], byUser: {} };

describe('eval: scoring a root cause across services', () => {
  const postgres = { namespace: 'demo', name: 'postgres' };
  const expectation = {
    outcome: 'healed' as const,
    actions: [],
    rootCause: { object: 'demo/postgres', workload: postgres, after: { replicas: 1 } }
  };

  it('passes when the root cause is named, the dependency is back and nothing ran on the workload before', () => {
    // Act
    const s = scoreTarget({
      round: 0,
      expect: { workload: w, ...expectation },
      observed: observed({ rootCause: 'demo/postgres' }),
      reportedAt: 0,
      replicasAfter: 1,
      rootCauseReplicasAfter: 1
    });
    // Assess
    expect(s.problems).toEqual([]);
  });

  it('misses a wrong root cause, a dependency left down, and a restart before the dependency was back', () => {
    // Act
    const s = scoreTarget({
      round: 0,
      expect: { workload: w, ...expectation, optional: ['restart_pods'] },
      observed: observed({
        rootCause: '10.10.4.7:6379',
        beforeRootCause: ['restart_pods'],
        actions: [{ action: 'restart_pods', answer: 'applied' }]
      }),
      reportedAt: 0,
      replicasAfter: 1,
      rootCauseReplicasAfter: 0
    });
    // Assess
    expect(s.problems).toEqual([
      'demo/mcp-demo: root cause 10.10.4.7:6379, expected demo/postgres',
      'demo/mcp-demo: demo/postgres has 0 replica(s) afterwards, expected 1',
      'demo/mcp-demo: restart_pods before its dependency was healed'
    ]);
  });
});

describe('eval: scoring a workload', () => {
  it('as expected: no problems, the time from report to outcome', () => {
    // Act
    const s = target(
      { outcome: 'healed', actions: ['scale_up'], after: { replicas: 1 } },
      { actions: [{ action: 'scale_up', answer: 'applied' }], at: 3_500 }
    );

    // Assess
    expect(s).toMatchObject({
      problems: [],
      unnecessary: [],
      missed: [],
      actions: ['scale_up:applied'],
      timeToOutcomeMs: 2_500
    });
  });

  it('unnecessary, forbidden and missed actions; optional ones are neither', () => {
    // Act
    const s = target(
      { outcome: 'healed', actions: ['restart_pods'], optional: ['cleanup_failed_pods'], forbidden: ['rollout_restart'] },
      {
        actions: [
          { action: 'rollout_restart', answer: 'applied' },
          { action: 'scale_up', answer: 'applied' },
          { action: 'cleanup_failed_pods', answer: 'applied' }
        ]
      }
    );

    // Assess
    expect(s.unnecessary).toEqual(['rollout_restart', 'scale_up']);
    expect(s.missed).toEqual(['restart_pods']);
    expect(s.problems).toEqual([
      'demo/mcp-demo: took the forbidden rollout_restart',
      'demo/mcp-demo: unnecessary scale_up',
      'demo/mcp-demo: missed restart_pods'
    ]);
  });

  it('a wrong outcome, a failure without manual steps, a text that does not say what it must, a wrong replica count', () => {
    // Act
    const wrong = target({ outcome: 'healed', actions: [] }, { outcome: 'escalated' });
    const bare = target({ outcome: 'denied', actions: [], says: 'not opted in' }, { outcome: 'denied', text: 'no' });
    const replicas = target({ outcome: 'healed', actions: [], after: { replicas: 2 } }, {}, 1);
    const none = target({ outcome: 'absorbed', actions: [] }, { outcome: 'none', healingIds: [] });

    // Assess
    expect(wrong.problems).toEqual(['demo/mcp-demo: escalated, expected healed']);
    expect(bare.problems).toEqual([
      'demo/mcp-demo: denied without manual steps',
      'demo/mcp-demo: the outcome does not say /not opted in/'
    ]);
    expect(replicas.problems).toEqual(['demo/mcp-demo: 1 replica(s) afterwards, expected 2']);
    expect(none.problems).toEqual(['demo/mcp-demo: no outcome, expected absorbed']);
    expect(none.timeToOutcomeMs).toBeUndefined();
  });
});

describe('eval: scoring a scenario', () => {
  const scenario: Scenario = {
    name: 's',
    title: 't',
    setup: [],
    rounds: [],
    writes: { max: 0 },
    dryRunWrites: { min: 1 },
    timeLimitMs: 1_000
  };
  const input = { targets: [], unexpected: [], collateral: [], durationMs: 5, activeMs: 10 };

  it('passes with nothing wrong, and names every reason when something is', () => {
    // Act
    const good = scoreScenario(scenario, { ...input, writes: { ...noWrites, dryRun: 1 } });
    const bad = scoreScenario(
      { ...scenario, knownIssue: '#0: because' },
      {
        ...input,
        activeMs: 2_000,
        aborted: 'round 1: no outcome within the 1000 ms limit',
        unexpected: [
          { round: 0, workload: { namespace: 'demo', name: 'x' }, observed: observed({ actions: [{ action: 'scale_up' }] }) }
        ],
        collateral: [{ object: 'Pod demo/x-1', change: 'deleted' }],
        writes: { count: 2, dryRun: 0, list: ['delete pods/x-1', 'patch deployments/scale/x'], byUser: { t: 2 } }
      }
    );

    // Assess
    expect(good).toMatchObject({ pass: true, misses: [] });
    expect(bad.pass).toBe(false);
    expect(bad.knownIssue).toBe('#0: because');
    expect(bad.misses).toEqual([
      'round 1: no outcome within the 1000 ms limit',
      'demo/x: healed though nobody reported it (scale_up:no answer)',
      'collateral: Pod demo/x-1 deleted',
      '2 Kubernetes writes, at most 0 expected (delete pods/x-1; patch deployments/scale/x)',
      '0 dry-run writes, at least 1 expected (the would-be change)',
      'took 2000 ms, over the 1000 ms limit'
    ]);
  });

  it("counts only the writes the API accepted from Cortex's ServiceAccounts, dry runs apart", () => {
    // Prepare
    const sa = (fn: string): string => `system:serviceaccount:cortex:${fn}`;
    const rec = (user: string, code: number, dryRun = false, name = 'p'): AuditedWrite => ({
      time: '2026-12-06T00:00:00Z',
      user,
      verb: 'delete',
      resource: 'pods',
      namespace: 'demo',
      name,
      code,
      dryRun
    });

    // Act
    const c = countWrites([
      rec(sa('remediate-cleanup-failed-pods'), 200),
      rec(sa('remediate-cleanup-failed-pods'), 404),
      rec(sa('remediate-cleanup-failed-pods'), 200, true),
      rec('kubernetes-admin', 200),
      rec('system:serviceaccount:demo:builder', 200),
      rec(sa('remediate-restart-pods'), 201, false, 'q')
    ]);

    // Assess
    expect(c).toEqual({
      count: 2,
      dryRun: 1,
      list: ['delete pods/p', 'delete pods/q'],
      byUser: { 'remediate-cleanup-failed-pods': 1, 'remediate-restart-pods': 1 }
    });
  });
});
