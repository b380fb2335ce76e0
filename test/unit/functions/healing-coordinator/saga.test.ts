import { describe, expect, it } from 'vitest';
import { CHECKS, type Action, type CheckName } from '../../../../shared/events/schemas.js';
import { react, type Env, type Input } from '../../../../functions/healing-coordinator/saga.js';
import { at, diag, diagnoseAll, env, healing, remediation, request, run, T0, types } from '../../../helpers/saga.js';

describe('Function: healing-coordinator (saga)', () => {
  it('starts a healing: started, diagnosis requested for all nine checks, progress', () => {
    // Act
    const { state, intents } = run([[request('r1'), env(T0, 'h-a')]]);
    // Assess
    expect(types(intents)).toEqual([
      'dev.cortex.healing.started',
      'dev.cortex.diagnosis.requested',
      'dev.cortex.healing.progress'
    ]);
    expect(intents[1]!.data).toMatchObject({ healingId: 'h-a', phase: 'diagnose', checks: [...CHECKS] });
    expect(state.active?.id).toBe('h-a');
  });

  it('remembers the trace of the report that started the healing, for what its deadlines publish later', () => {
    // Prepare
    const trace = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    // Act
    const { state } = react(
      undefined,
      { ...(request('r1') as Extract<Input, { kind: 'requested' }>), trace },
      env(T0, 'h-tr')
    );
    // Assess
    expect(state.active?.trace).toBe(trace);
  });

  it('runs the whole saga for a scale-to-zero: plan scale_up, verify, complete with the action', () => {
    // Prepare
    const steps: Array<[Input, Env?]> = [
      [request('r1'), env(T0, 'h-s')],
      ...diagnoseAll('h-s', { 'deployment-config': 'scale_up', 'pod-status': 'none', 'service-endpoints': 'none' }),
      [remediation('h-s', 'scale_up', 'applied')],
      [diag('h-s', 'pod-status', 'healthy', undefined, 'verify')],
      [diag('h-s', 'service-endpoints', 'healthy', undefined, 'verify'), env(at(4000))]
    ];
    // Act
    const { state, intents } = run(steps);
    // Assess
    const requested = intents.filter((i) => i.type.startsWith('dev.cortex.remediation.'));
    expect(types(requested)).toEqual(['dev.cortex.remediation.scale_up.requested']);
    const asked = intents
      .filter((i) => i.type === 'dev.cortex.diagnosis.requested' || i.type === 'dev.cortex.verification.requested')
      .map((i) => [i.type, (i.data as { phase: string; checks: string[] }).phase, (i.data as { checks: string[] }).checks]);
    expect(asked).toEqual([
      ['dev.cortex.diagnosis.requested', 'diagnose', [...CHECKS]],
      ['dev.cortex.verification.requested', 'verify', ['pod-status', 'service-endpoints']]
    ]);
    const done = intents.at(-1)!;
    expect(done.type).toBe('dev.cortex.healing.completed');
    expect(done.data).toMatchObject({ healingId: 'h-s', actions: ['scale_up'], durationMs: 4000, sessionIds: ['s-1'] });
    expect(state.active).toBeUndefined();
    expect(state.history.at(-1)?.status).toBe('completed');
  });

  it('emits one progress event per check as they report', () => {
    // Act
    const { intents } = run([[request('r1'), env(T0, 'h-p')], ...diagnoseAll('h-p', {}).slice(0, 3)]);
    // Assess
    const progress = intents
      .filter((i) => i.type === 'dev.cortex.healing.progress')
      .map((i) => (i.data as { done: number }).done);
    expect(progress).toEqual([0, 1, 2, 3]);
  });

  it.each([
    [
      { 'pod-status': 'report_image_pull', 'failed-pods': 'cleanup_failed_pods' },
      ['report_image_pull', 'cleanup_failed_pods']
    ],
    [{ 'resource-limits': 'report_oom', 'pod-status': 'restart_pods' }, ['report_oom']],
    [{ 'deployment-config': 'scale_up', 'service-endpoints': 'rollout_restart' }, ['scale_up']],
    [{ 'pod-status': 'restart_pods', 'service-endpoints': 'rollout_restart' }, ['restart_pods']],
    [{ 'service-endpoints': 'rollout_restart' }, ['rollout_restart']],
    [{ 'failed-pods': 'cleanup_failed_pods' }, ['cleanup_failed_pods']]
  ] as Array<[Partial<Record<CheckName, Action>>, Action[]]>)('plans by priority: %o → %o', (problems, expected) => {
    // Act
    const { intents } = run([[request('r1'), env(T0, 'h-x')], ...diagnoseAll('h-x', problems)]);
    // Assess
    const actions = intents.filter((i) => i.type.startsWith('dev.cortex.remediation.')).map((i) => i.type.split('.')[3]);
    expect(actions).toEqual(expected);
  });

  it('completes as transient when every check is healthy, without any remediation', () => {
    // Act
    const { intents } = run([[request('r1'), env(T0, 'h-t')], ...diagnoseAll('h-t', {})]);
    // Assess
    expect(intents.some((i) => i.type.startsWith('dev.cortex.remediation.'))).toBe(false);
    expect(intents.at(-1)).toMatchObject({
      type: 'dev.cortex.healing.completed',
      data: { actions: [], summary: expect.stringMatching(/^transient: service healthy now/) }
    });
  });

  it('does not fail a healthy target over history: recent Warning events and old log lines are advisory', () => {
    // Act
    const { intents } = run([
      [request('r1'), env(T0, 'h-adv')],
      ...diagnoseAll('h-adv', { events: 'none', 'pod-logs': 'none' })
    ]);
    // Assess
    expect(intents.at(-1)).toMatchObject({
      type: 'dev.cortex.healing.completed',
      data: { summary: 'transient: service healthy now (7/9 checks healthy; pod-logs and events show earlier trouble)' }
    });
  });

  it('fails with the findings when a decisive check sees a problem no remediation fixes (a blocking NetworkPolicy)', () => {
    // Act
    const { intents } = run([[request('r1'), env(T0, 'h-np')], ...diagnoseAll('h-np', { 'network-policies': 'none' })]);
    // Assess
    expect(intents.at(-1)).toMatchObject({
      type: 'dev.cortex.healing.failed',
      data: { reasonCode: 'no_fix', reason: expect.stringContaining('network-policies') }
    });
  });

  it('fails with the manual steps when the remediation can only report (image pull)', () => {
    // Act
    const { intents } = run([
      [request('r1'), env(T0, 'h-i')],
      ...diagnoseAll('h-i', { 'pod-status': 'report_image_pull' }),
      [remediation('h-i', 'report_image_pull', 'manual')]
    ]);
    // Assess
    const failed = intents.at(-1)!;
    expect(failed.type).toBe('dev.cortex.healing.failed');
    expect(failed.data).toMatchObject({
      reasonCode: 'manual',
      manualSteps: ['do report_image_pull by hand'],
      findings: expect.arrayContaining([expect.objectContaining({ check: 'pod-status', verdict: 'problem' })])
    });
  });

  it('fails when the target is still unhealthy after the fix', () => {
    // Act
    const { intents } = run([
      [request('r1'), env(T0, 'h-u')],
      ...diagnoseAll('h-u', { 'pod-status': 'restart_pods' }),
      [remediation('h-u', 'restart_pods', 'applied')],
      [diag('h-u', 'pod-status', 'problem', undefined, 'verify')],
      [diag('h-u', 'service-endpoints', 'healthy', undefined, 'verify')]
    ]);
    // Assess
    expect(intents.at(-1)).toMatchObject({
      type: 'dev.cortex.healing.failed',
      data: { reasonCode: 'verify_failed' }
    });
  });

  it.each([
    ['denied', undefined, 'denied'],
    ['manual', undefined, 'manual'],
    ['failed', 'not_found', 'not_found'],
    ['failed', 'forbidden', 'denied'],
    ['failed', 'invalid_request', 'manual']
  ] as const)('ends a healing whose remediation answered %s (%s) with the code %s', (outcome, failure, code) => {
    // Act
    const { intents } = run([
      [request('r1'), env(T0, 'h-c')],
      ...diagnoseAll('h-c', { 'pod-status': 'restart_pods' }),
      [remediation('h-c', 'restart_pods', outcome, failure)]
    ]);
    // Assess
    expect(intents.at(-1)).toMatchObject({ type: 'dev.cortex.healing.failed', data: { reasonCode: code } });
  });

  it('keeps a single flight: later reports join, and their sessions are announced in one batch', () => {
    // Prepare
    const joins: Array<[Input, Env?]> = [
      [request('r1', ['s-1']), env(T0, 'h-j')],
      [request('r2', ['s-2'])],
      [request('r3', ['s-2'])],
      [request('r4', ['s-1', 's-3'])]
    ];
    // Act
    const { state, intents } = run([...joins, [{ kind: 'tick', key: 'tick' }, env(at(1000))]]);
    // Assess
    expect(types(intents).filter((t) => t === 'dev.cortex.healing.started')).toHaveLength(1);
    const joined = intents.filter((i) => (i.data as { stage?: string }).stage === 'joined');
    expect(joined.map((i) => (i.data as { sessionIds: string[] }).sessionIds)).toEqual([['s-2', 's-3']]);
    expect(state.active?.sessionIds).toEqual(['s-1', 's-2', 's-3']);
    expect(state.active?.unannounced).toEqual([]);
    expect(state.active?.reportIds).toEqual(['r1', 'r2', 'r3', 'r4']);
  });

  it('announces joined sessions before the next step of the healing, so they see it', () => {
    // Act
    const { intents } = run([
      [request('r1', ['s-1']), env(T0, 'h-k')],
      [request('r2', ['s-2'])],
      [diag('h-k', 'pod-status')]
    ]);
    // Assess
    const afterStart = intents.slice(3);
    expect(afterStart.map((i) => (i.data as { stage: string }).stage)).toEqual(['joined', 'diagnose']);
    expect(afterStart[0]!.data).toMatchObject({ sessionIds: ['s-2'] });
  });

  it('turns a storm of a thousand joins into a handful of events', () => {
    // Act
    const joins: Array<[Input, Env?]> = Array.from({ length: 1000 }, (_, i) => [
      request(`r${i + 2}`, [`s-${i + 2}`]),
      env(at(i * 5))
    ]);
    const { state, intents } = run([[request('r1', ['s-1']), env(T0, 'h-storm')], ...joins]);
    // Assess
    expect(intents.length).toBeLessThan(10);
    expect(state.active?.sessionIds).toHaveLength(1001);
  });

  it('absorbs a report that occurred before the last healing ended, giving its session that outcome', () => {
    // Prepare
    const done = run([
      [request('r1'), env(T0, 'h-abs')],
      ...diagnoseAll('h-abs', {}).map(([i]) => [i, env(at(1000))] as [Input, Env])
    ]);
    // Act
    const late = react(done.state, request('r2', ['s-9'], at(500).toISOString()), env(at(2000), 'h-new'));
    // Assess
    expect(types(late.intents)).toEqual(['dev.cortex.healing.progress']);
    expect(late.intents[0]!.data).toMatchObject({
      healingId: 'h-abs',
      stage: 'joined',
      sessionIds: ['s-9'],
      outcome: { status: 'completed' }
    });
    expect(late.state.active).toBeUndefined();
  });

  it('tells the sessions of a burst of absorbed reports in batches, not one event per report', () => {
    // Prepare
    const done = run([
      [request('r1'), env(T0, 'h-burst')],
      ...diagnoseAll('h-burst', {}).map(([i]) => [i, env(at(1000))] as [Input, Env])
    ]);
    const burst: Array<[Input, Env?]> = Array.from({ length: 300 }, (_, i) => [
      request(`late-${i}`, [`s-${i}`], at(500).toISOString()),
      env(at(1100 + i * 5))
    ]);
    // Act
    const { state, intents } = run([...burst, [{ kind: 'tick', key: 'tick' }, env(at(4000))]], done.state);
    // Assess
    const told = intents
      .filter((i) => (i.data as { stage?: string }).stage === 'joined')
      .flatMap((i) => (i.data as { sessionIds: string[] }).sessionIds);
    expect(new Set(told).size).toBe(300);
    expect(intents.length).toBeLessThanOrEqual(3);
    expect(state.history.at(-1)?.unannounced).toEqual([]);
  });

  it('starts a new healing for a report that occurred after the last one ended', () => {
    // Prepare
    const done = run([
      [request('r1'), env(T0, 'h-1st')],
      ...diagnoseAll('h-1st', {}).map(([i]) => [i, env(at(1000))] as [Input, Env])
    ]);
    // Act
    const next = react(done.state, request('r2', ['s-1'], at(5000).toISOString()), env(at(5000), 'h-2nd'));
    // Assess
    expect(types(next.intents)[0]).toBe('dev.cortex.healing.started');
  });

  it('counts silent checks as inconclusive at the deadline and moves on', () => {
    // Prepare
    const partial = run([
      [request('r1'), env(T0, 'h-d')],
      ...diagnoseAll('h-d', { 'deployment-config': 'scale_up' }).slice(0, 5)
    ]);
    // Act
    const early = react(partial.state, { kind: 'tick', key: 'tick-1' }, env(at(1000)));
    const late = react(partial.state, { kind: 'tick', key: 'tick-2' }, env(at(healing.diagnoseTimeoutMs + 1)));
    // Assess
    expect(early.intents).toEqual([]);
    const progress = late.intents
      .filter((i) => i.type === 'dev.cortex.healing.progress')
      .map((i) => (i.data as { message: string }).message);
    expect(progress.filter((m) => m.endsWith('no answer before the deadline'))).toHaveLength(4);
    expect(types(late.intents)).toContain('dev.cortex.remediation.scale_up.requested');
  });

  it('marks a dead-lettered check inconclusive at once', () => {
    // Prepare
    const partial = run([[request('r1'), env(T0, 'h-dl')], ...diagnoseAll('h-dl', {}).slice(1)]);
    // Act
    const r = react(
      partial.state,
      {
        kind: 'check-lost',
        key: 'dl-1',
        healingId: 'h-dl',
        phase: 'diagnose',
        checks: ['pod-status'],
        reason: 'dead-lettered'
      },
      env()
    );
    // Assess
    expect(r.intents.at(-1)).toMatchObject({ type: 'dev.cortex.healing.completed' });
    expect(r.state.history.at(-1)?.summary).toMatch(/8\/9 checks healthy, 1 inconclusive/);
  });

  it('fails a remediation that never answers by its deadline', () => {
    // Prepare
    const waiting = run([[request('r1'), env(T0, 'h-r')], ...diagnoseAll('h-r', { 'pod-status': 'restart_pods' })]);
    // Act
    const r = react(waiting.state, { kind: 'tick', key: 't' }, env(at(healing.remediateTimeoutMs + 1)));
    // Assess
    expect(r.intents.at(-1)).toMatchObject({
      type: 'dev.cortex.healing.failed',
      data: { reasonCode: 'timeout', reason: expect.stringContaining('no answer before the deadline') }
    });
  });

  it('re-emits the same intents for a redelivered input and changes nothing', () => {
    // Prepare
    const first = react(undefined, request('r1'), env(T0, 'h-re'));
    // Act
    const again = react(first.state, request('r1'), env(at(10), 'h-other'));
    // Assess
    expect(again.intents).toEqual(first.intents);
    expect(again.state).toBe(first.state);
  });

  it('ignores results of another healing, of the wrong phase, or repeated', () => {
    // Prepare
    const s = run([[request('r1'), env(T0, 'h-ig')], [diag('h-ig', 'pod-status')]]).state;
    // Act
    const other = react(s, diag('h-zzz', 'events'), env());
    const wrongPhase = react(s, diag('h-ig', 'events', 'healthy', undefined, 'verify'), env());
    const repeated = react(s, { ...diag('h-ig', 'pod-status', 'problem'), key: 'again' }, env());
    // Assess
    expect([other.intents, wrongPhase.intents, repeated.intents]).toEqual([[], [], []]);
  });

  it('asks for dry-run remediations in dry-run mode', () => {
    // Act
    const { intents } = run([
      [request('r1'), { ...env(T0, 'h-dry'), dryRun: true }],
      ...diagnoseAll('h-dry', { 'deployment-config': 'scale_up' }).map(
        ([i]) => [i, { ...env(), dryRun: true }] as [Input, Env]
      )
    ]);
    // Assess
    expect(intents.find((i) => i.type.startsWith('dev.cortex.remediation.'))?.data).toMatchObject({ dryRun: true });
  });
});
