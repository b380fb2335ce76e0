import { describe, expect, it } from 'vitest';
import type { CheckName, DependencyFinding } from '../../../../shared/events/schemas.js';
import { react, type Env, type Input } from '../../../../functions/healing-coordinator/saga.js';
import type { TargetState } from '../../../../functions/healing-coordinator/state.js';
import { fingerprintOf } from '../../../../functions/healing-coordinator/memory.js';
import {
  at,
  diag,
  diagnoseAll,
  env,
  healing,
  ofType,
  remediation,
  request,
  run,
  types,
  verifyAll,
  type DiagExtra
} from '../../../helpers/saga.js';

/*
 * The coordinator's judgement, as the pure saga decides it: a fix that failed is not repeated for the same fault; the
 * budget counts mutating actions, not healings; reports during an escalation or past the transient limit are told
 * why; every failure names its root cause.
 */

type Problems = Parameters<typeof diagnoseAll>[1];
const MIN = 60_000;

const SESSION_STORE: DependencyFinding = {
  reference: '10.10.4.7:6379',
  state: 'external',
  evidence: ['Error: connect ECONNREFUSED 10.10.4.7:6379'],
  commands: [
    'kubectl run -n demo cortex-net-check --rm -i --restart=Never --image=busybox:1.36 -- nc -zv -w 3 10.10.4.7 6379'
  ]
};

/** A persistent crash loop as the nine checks see it, the same in every run. */
const CRASH: Problems = {
  'pod-status': ['restart_pods', { symptom: 'crashing', params: { pods: ['mcp-demo-7d4b9c8f6-a1'] } }],
  'service-endpoints': ['none', { symptom: 'no_ready_endpoints' }],
  'deployment-config': ['none', { symptom: 'unavailable' }],
  'pod-logs': [
    'none',
    {
      symptom: 'connection_refused+crash',
      commands: ['kubectl logs -n demo mcp-demo-7d4b9c8f6-a1 -c server --previous --tail=50']
    }
  ],
  events: ['none', { symptom: 'BackOff' }],
  dependencies: ['none', { symptom: 'external:10.10.4.7:6379', dependencies: [SESSION_STORE] }]
};
const ZERO: Problems = {
  'deployment-config': [
    'scale_up',
    { symptom: 'scaled_to_zero', summary: 'Deployment demo/mcp-demo is scaled to zero (0 replicas desired)' }
  ],
  'pod-status': ['none', { symptom: 'scaled_to_zero' }],
  'service-endpoints': ['none', { symptom: 'no_ready_endpoints' }]
};

/** One report at `t`, diagnosed a second later; the healing's id is `id`. */
function report(id: string, t: number, problems: Problems, sessions = [`s-${id}`]): Array<[Input, Env]> {
  return [
    [request(`r-${id}`, sessions, at(t).toISOString()), env(at(t), id)],
    ...diagnoseAll(id, problems).map(([i]) => [i, env(at(t + 1000))] as [Input, Env])
  ];
}

/** The fix ran and verification answered: healthy or still broken. */
const fixed = (id: string, t: number, action: 'restart_pods' | 'scale_up', healthy: boolean): Array<[Input, Env]> => [
  [remediation(id, action, 'applied', undefined, { summary: `${action} applied by ${id}` }), env(at(t + 2000))],
  ...verifyAll(id, healthy ? 'healthy' : 'problem').map(([i]) => [i, env(at(t + 3000))] as [Input, Env])
];

const requestedActions = (intents: ReturnType<typeof run>['intents']): string[] =>
  intents.filter((i) => /^dev\.cortex\.remediation\.\w+\.requested$/.test(i.type)).map((i) => i.type.split('.')[3]!);

describe('Judgement: memory of what failed', () => {
  it('restarts a persistent crash loop once: four more reports get repeat_suppressed, saying what was tried and when', () => {
    // Prepare
    const first = [...report('h-1', 0, CRASH), ...fixed('h-1', 0, 'restart_pods', false)];
    const later = [1, 2, 3, 4].flatMap((i) => report(`h-${i + 1}`, i * MIN, CRASH));
    // Act
    const { intents, state } = run([...first, ...later]);
    // Assess
    expect(requestedActions(intents)).toEqual(['restart_pods']);
    const failed = ofType<{ reasonCode: string; reason: string; resumesAt?: string; manualSteps: string[] }>(
      intents,
      'healing.failed'
    );
    expect(failed.map((f) => f.reasonCode)).toEqual([
      'verify_failed',
      'repeat_suppressed',
      'repeat_suppressed',
      'repeat_suppressed',
      'repeat_suppressed'
    ]);
    expect(failed[1]!.reason).toMatch(
      /^restart_pods was tried at 10:00:03 UTC by healing h-1 for this same fault and did not heal it \(still unhealthy after restart_pods: .*\); Cortex does not repeat it for this fault before 2026-11-27T10:15:03.000Z/
    );
    expect(failed[1]!.resumesAt).toBe('2026-11-27T10:15:03.000Z');
    expect(failed[1]!.manualSteps[0]).toBe(
      'Cortex already ran restart_pods on demo/mcp-demo at 2026-11-27T10:00:03.000Z (restart_pods applied by h-1); demo/mcp-demo stayed unhealthy, so it is not run again for the same fault.'
    );
    expect(state.actions).toEqual([
      expect.objectContaining({ action: 'restart_pods', healingId: 'h-1', outcome: 'applied', result: 'not_healed' })
    ]);
  });

  it('tries the fix again for a different fault, and once the window has passed', () => {
    // Prepare
    const first = [...report('h-1', 0, CRASH), ...fixed('h-1', 0, 'restart_pods', false)];
    const other: Problems = { ...CRASH, 'pod-logs': ['none', { symptom: 'crash' }], dependencies: undefined };
    // Act
    const different = run(report('h-2', MIN, other), run(first).state);
    const later = run(report('h-3', 16 * MIN, CRASH), run(first).state);
    // Assess
    expect(requestedActions(different.intents)).toEqual(['restart_pods']);
    expect(requestedActions(later.intents)).toEqual(['restart_pods']);
  });

  it('fingerprints the fault by what the checks saw, not by counts, names or drifting events', () => {
    // Prepare
    const results = (extra: Partial<Record<CheckName, DiagExtra>>) =>
      Object.fromEntries(
        Object.entries(extra).map(([c, e]) => [c, { verdict: 'problem' as const, summary: `${c} ${Math.random()}`, ...e }])
      );
    // Act
    const a = fingerprintOf(results({ 'pod-status': { symptom: 'crashing' }, events: { symptom: 'BackOff' } }));
    const b = fingerprintOf(results({ 'pod-status': { symptom: 'crashing' } }));
    // Assess
    expect(a).toBe('pod-status:crashing');
    expect(b).toBe(a);
  });

  it('keeps its memory in plain JSON: a state written and read back decides the same', () => {
    // Prepare
    const { state } = run([...report('h-1', 0, CRASH), ...fixed('h-1', 0, 'restart_pods', false)]);
    const stored = JSON.parse(JSON.stringify(state)) as TargetState;
    // Act
    const { intents } = run(report('h-2', MIN, CRASH), stored);
    // Assess
    expect(ofType<{ reasonCode: string }>(intents, 'healing.failed')[0]?.reasonCode).toBe('repeat_suppressed');
  });

  it('numbers every remediation request of a healing (attempt), for a symptom to cover', () => {
    // Act
    const { intents } = run(report('h-1', 0, { ...ZERO, 'failed-pods': 'cleanup_failed_pods' }));
    // Assess
    expect(
      intents.filter((i) => i.type.endsWith('.requested') && i.type.includes('remediation')).map((i) => i.data)
    ).toEqual([expect.objectContaining({ attempt: 1 }), expect.objectContaining({ attempt: 2 })]);
  });
});

describe('Judgement: a budget that counts harm, not noise', () => {
  it('three transient healings, then a scale to zero: healed, not escalated', () => {
    // Prepare
    const noise = [0, 1, 2].flatMap((i) => report(`h-n${i}`, i * MIN, {}));
    // Act
    const { intents } = run([...noise, ...report('h-real', 3 * MIN, ZERO), ...fixed('h-real', 3 * MIN, 'scale_up', true)]);
    // Assess
    expect(ofType<{ summary: string }>(intents, 'healing.completed').map((c) => c.summary.split(':')[0])).toEqual([
      'transient',
      'transient',
      'transient',
      'mcp-demo is healthy again'
    ]);
    expect(ofType(intents, 'healing.failed')).toEqual([]);
  });

  it('escalates a workload that needs a fix again and again: what keeps happening, the findings, when it resumes', () => {
    // Prepare: three scale-ups, each healed it for a while
    const flaps = [0, 1, 2].flatMap((i) => [
      ...report(`h-${i}`, i * MIN, ZERO),
      ...fixed(`h-${i}`, i * MIN, 'scale_up', true)
    ]);
    // Act
    const { intents, state } = run([...flaps, ...report('h-4', 3 * MIN, ZERO)]);
    // Assess
    expect(requestedActions(intents)).toEqual(['scale_up', 'scale_up', 'scale_up']);
    const esc = ofType<{
      reasonCode: string;
      reason: string;
      findings: unknown[];
      resumesAt: string;
      manualSteps: string[];
      rootCause: { kind: string };
    }>(intents, 'healing.failed')[0]!;
    expect(esc.reasonCode).toBe('escalated');
    expect(esc.reason).toBe(
      'demo/mcp-demo needs a fix again and again: Cortex changed it 3 times in the last 15 min (scale_up at 10:00:03 UTC (healed it), scale_up at 10:01:03 UTC (healed it), scale_up at 10:02:03 UTC (healed it)), its budget of 3, and it would need scale_up again: pod-status: pod-status problem; service-endpoints: service-endpoints problem; deployment-config: Deployment demo/mcp-demo is scaled to zero (0 replicas desired). Escalated to a human; automatic healing resumes at 2026-11-27T10:15:03.000Z. Root cause: demo/mcp-demo itself: deployment-config: Deployment demo/mcp-demo is scaled to zero (0 replicas desired)'
    );
    expect(esc.reason).not.toMatch(/repeated failures/);
    expect(esc.resumesAt).toBe('2026-11-27T10:15:03.000Z');
    expect(esc.findings).toHaveLength(9);
    expect(esc.manualSteps.at(-1)).toBe(
      'Cortex heals demo/mcp-demo automatically again from 2026-11-27T10:15:03.000Z (or raise CORTEX_HEALING_BUDGET).'
    );
    expect(esc.rootCause.kind).toBe('workload');
    expect(state.history.at(-1)).toMatchObject({ status: 'escalated', resumesAt: '2026-11-27T10:15:03.000Z' });
  });

  it('tells every report during an escalation, with a session or without, the same message and when it ends', () => {
    // Prepare
    const flaps = [0, 1, 2].flatMap((i) => [
      ...report(`h-${i}`, i * MIN, ZERO),
      ...fixed(`h-${i}`, i * MIN, 'scale_up', true)
    ]);
    const escalated = run([...flaps, ...report('h-4', 3 * MIN, ZERO)]);
    const reason = escalated.state.history.at(-1)!.summary;
    // Act
    const withSession = react(escalated.state, request('r-5', ['s-5'], at(5 * MIN).toISOString()), env(at(5 * MIN), 'h-5'));
    const without = react(withSession.state, request('r-6', [], at(7 * MIN).toISOString()), env(at(7 * MIN), 'h-6'));
    const flushed = react(without.state, { kind: 'tick', key: 't' }, env(at(7 * MIN + 2000)));
    // Assess
    const told = [...withSession.intents, ...without.intents, ...flushed.intents];
    expect(types(told)).toEqual(['dev.cortex.healing.failed', 'dev.cortex.healing.failed']);
    expect(told.map((i) => i.data)).toEqual([
      expect.objectContaining({
        reasonCode: 'escalated',
        reason,
        resumesAt: '2026-11-27T10:15:03.000Z',
        sessionIds: ['s-5']
      }),
      expect.objectContaining({ reasonCode: 'escalated', reason, resumesAt: '2026-11-27T10:15:03.000Z', sessionIds: [] })
    ]);
    expect(new Set(told.map((i) => (i.data as { healingId: string }).healingId)).size).toBe(2);
  });

  it('heals again once the escalation is over', () => {
    // Prepare
    const flaps = [0, 1, 2].flatMap((i) => [
      ...report(`h-${i}`, i * MIN, ZERO),
      ...fixed(`h-${i}`, i * MIN, 'scale_up', true)
    ]);
    const escalated = run([...flaps, ...report('h-4', 3 * MIN, ZERO)]);
    // Act
    const { intents } = run(report('h-later', 16 * MIN, ZERO), escalated.state);
    // Assess
    expect(requestedActions(intents)).toEqual(['scale_up']);
  });

  it('absorbs reports past the transient limit until the window ends, visibly, then diagnoses again', () => {
    // Prepare
    const noise = Array.from({ length: healing.transientLimit }, (_, i) => report(`h-n${i}`, i * 10_000, {})).flat();
    const flooded = run(noise);
    // Act
    const past = react(flooded.state, request('r-past', [], at(3 * MIN).toISOString()), env(at(3 * MIN), 'h-past'));
    const after = run(report('h-after', 16 * MIN, {}), past.state);
    // Assess
    expect(ofType(flooded.intents, 'healing.completed')).toHaveLength(healing.transientLimit);
    expect(types(past.intents)).toEqual(['dev.cortex.healing.progress']);
    expect(ofType<{ stage: string; message: string; absorbedUntil: string }>(past.intents, 'healing.progress')).toEqual([
      expect.objectContaining({
        stage: 'joined',
        absorbedUntil: '2026-11-27T10:15:01.000Z',
        message: expect.stringMatching(
          /^1 report\(s\) absorbed: 10 healings in the last 15 min found demo\/mcp-demo healthy, the limit for reports that need no fix/
        )
      })
    ]);
    expect(types(after.intents)[0]).toBe('dev.cortex.healing.started');
  });
});

describe('Judgement: text a human can act on', () => {
  it('names the root cause in every failure, with its commands: a crash loop blames the address it cannot reach', () => {
    // Act
    const { intents } = run([...report('h-1', 0, CRASH), ...fixed('h-1', 0, 'restart_pods', false)]);
    // Assess
    const failed = ofType<{ reason: string; rootCause: unknown; manualSteps: string[] }>(intents, 'healing.failed')[0]!;
    expect(failed.rootCause).toEqual({
      kind: 'external',
      object: '10.10.4.7:6379',
      evidence: ["10.10.4.7:6379 is an address outside the cluster's Services", 'Error: connect ECONNREFUSED 10.10.4.7:6379']
    });
    expect(failed.reason).toMatch(
      /Root cause: it cannot reach 10\.10\.4\.7:6379, an address outside the cluster \("Error: connect ECONNREFUSED 10\.10\.4\.7:6379"\)$/
    );
    expect(failed.manualSteps).toContain(SESSION_STORE.commands[0]);
    expect(failed.manualSteps).toContain('kubectl logs -n demo mcp-demo-7d4b9c8f6-a1 -c server --previous --tail=50');
  });

  it('says a denial once ("denied: …", not "denied: denied: …")', () => {
    // Act
    const { intents } = run([
      ...report('h-1', 0, ZERO),
      [
        remediation('h-1', 'scale_up', 'denied', undefined, { summary: 'denied: demo/legacy-api is not opted in' }),
        env(at(2000))
      ]
    ]);
    // Assess
    const reason = ofType<{ reason: string }>(intents, 'healing.failed')[0]!.reason;
    expect(reason).toMatch(/^scale_up denied: demo\/legacy-api is not opted in\. Root cause: /);
    expect(JSON.stringify(intents)).not.toMatch(/denied: denied/);
  });

  it('points a not-ready workload at the upstream its logs blame, with commands, not "Investigate pod-status"', () => {
    // Prepare
    const unnamed: DependencyFinding = {
      reference: 'an unnamed upstream',
      state: 'unnamed',
      evidence: ['WARN readiness check failed: upstream dependency timed out after 5000ms'],
      commands: ['kubectl get endpoints -n demo', 'kubectl get pods -n demo -o wide']
    };
    const notReady: Problems = {
      'pod-status': ['none', { symptom: 'not_ready', commands: ['kubectl describe pod -n demo mcp-demo-7d4b9c8f6-a1'] }],
      'service-endpoints': ['none', { commands: ['kubectl get endpoints -n demo mcp-demo -o wide'] }]
    };
    // Act
    const { intents } = run([
      [request('r-1', ['s-1'], at(0).toISOString()), env(at(0), 'h-1')],
      ...diagnoseAll('h-1', notReady).map(([i]) =>
        (i as { data: { check: string } }).data.check === 'dependencies'
          ? ([diag('h-1', 'dependencies', 'inconclusive', undefined, 'diagnose', { dependencies: [unnamed] })] as [Input])
          : ([i] as [Input])
      )
    ]);
    // Assess
    const failed = ofType<{ reasonCode: string; rootCause: { kind: string; object: string }; manualSteps: string[] }>(
      intents,
      'healing.failed'
    )[0]!;
    expect(failed.reasonCode).toBe('no_fix');
    expect(failed.rootCause).toMatchObject({
      kind: 'dependency',
      object: 'an upstream of demo/mcp-demo its logs do not name'
    });
    expect(failed.manualSteps.join('\n')).not.toMatch(/^Investigate /m);
    expect(failed.manualSteps).toEqual(
      expect.arrayContaining([
        'kubectl describe pod -n demo mcp-demo-7d4b9c8f6-a1',
        'kubectl get endpoints -n demo mcp-demo -o wide',
        'kubectl get endpoints -n demo'
      ])
    );
  });

  it('gives the suggested limit as a command when verification finds an OOM after a scale-up', () => {
    // Act
    const { intents } = run([
      ...report('h-1', 0, ZERO),
      [remediation('h-1', 'scale_up', 'applied'), env(at(2000))],
      [
        diag('h-1', 'pod-status', 'problem', 'report_oom', 'verify', {
          params: { container: 'server', suggestedLimit: '256Mi', currentLimit: '128Mi', deployment: 'mcp-demo' }
        }),
        env(at(3000))
      ],
      [diag('h-1', 'service-endpoints', 'problem', undefined, 'verify'), env(at(3000))]
    ]);
    // Assess
    const failed = ofType<{ manualSteps: string[] }>(intents, 'healing.failed')[0]!;
    expect(failed.manualSteps).toContain(
      'kubectl set resources deployment/mcp-demo -n demo -c server --limits=memory=256Mi'
    );
  });

  it('does not call cleaning up evicted pods the fix when the service was already serving', () => {
    // Act
    const { intents } = run([
      ...report('h-1', 0, { 'failed-pods': 'cleanup_failed_pods' }),
      [
        remediation('h-1', 'cleanup_failed_pods', 'applied', undefined, { summary: 'deleted 2 Evicted pods' }),
        env(at(2000))
      ],
      ...verifyAll('h-1').map(([i]) => [i, env(at(3000))] as [Input, Env])
    ]);
    // Assess
    expect(ofType<{ summary: string }>(intents, 'healing.completed')[0]!.summary).toBe(
      'mcp-demo was already serving (pod-status healthy); cleaned up what was left over: deleted 2 Evicted pods; verified: pod-status healthy; service-endpoints healthy'
    );
  });
});
