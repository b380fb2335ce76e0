import { describe, expect, it } from 'vitest';
import { Events } from '../../../../shared/events/catalog.js';
import { cloudEventOf, sessionEventsOf } from '../../../../functions/sse-relay/mapping.js';
import { eventOf } from '../../../fakes/ctx.js';
import { completed, delayed, demoTarget, failed, progress, started } from '../../../helpers/healing.js';

describe('Function: sse-relay, CloudEvent to browser events', () => {
  it('maps healing.started to healing_start with the seed fields and ours', () => {
    // Prepare
    const ev = eventOf(Events.HealingStarted, started('h-1', ['s-aaaaaaaa']));
    // Act
    const out = sessionEventsOf(ev, undefined);
    // Assess
    expect(out).toEqual([
      {
        event: 'healing_start',
        data: {
          service: 'mcp-demo',
          issue: 'mcp_unreachable: connect ECONNREFUSED 10.96.0.10:80',
          healingId: 'h-1',
          target: demoTarget,
          checks: ['pod-status', 'deployment-config']
        }
      }
    ]);
  });

  it('maps healing.progress to healing_progress with check, verdict, action and outcome when present', () => {
    // Prepare
    const check = eventOf(Events.HealingProgress, progress('h-1'));
    const action = eventOf(
      Events.HealingProgress,
      progress('h-1', {
        stage: 'remediate',
        message: 'scale_up: applied',
        check: undefined,
        verdict: undefined,
        action: 'scale_up',
        outcome: 'applied'
      })
    );
    // Act
    const [fromCheck] = sessionEventsOf(check, undefined);
    const [fromAction] = sessionEventsOf(action, undefined);
    // Assess
    expect(fromCheck).toEqual({
      event: 'healing_progress',
      data: {
        service: 'mcp-demo',
        message: 'deployment-config: Deployment mcp-demo is scaled to zero (0/0 replicas)',
        healingId: 'h-1',
        target: demoTarget,
        stage: 'diagnose',
        done: 1,
        total: 2,
        check: 'deployment-config',
        verdict: 'problem'
      }
    });
    expect(fromAction?.data).toMatchObject({ stage: 'remediate', action: 'scale_up', outcome: 'applied' });
    expect(fromAction?.data).not.toHaveProperty('check');
  });

  it('fills a progress event without a target from what the relay knows of the healing', () => {
    // Prepare
    const ev = eventOf(Events.HealingProgress, { ...progress('h-1'), target: undefined });
    // Act
    const [out] = sessionEventsOf(ev, { sessions: new Set(), target: { namespace: 'ns', service: 'api' } });
    // Assess
    expect(out?.data).toMatchObject({ service: 'api', target: { namespace: 'ns', service: 'api' } });
  });

  it('maps healing.explained to healing_explained: summary, next step, model and the count of redactions', () => {
    // Prepare
    const ev = eventOf(Events.HealingExplained, {
      healingId: 'h-1',
      target: demoTarget,
      summary: 'scaled to zero',
      nextStep: 'keep one replica',
      model: 'none',
      redactions: 2,
      sessionIds: ['s-aaaaaaaa']
    });
    // Act
    const out = sessionEventsOf(ev, undefined);
    // Assess
    expect(out).toEqual([
      {
        event: 'healing_explained',
        data: {
          service: 'mcp-demo',
          healingId: 'h-1',
          target: demoTarget,
          summary: 'scaled to zero',
          nextStep: 'keep one replica',
          model: 'none',
          redactions: 2
        }
      }
    ]);
  });

  it('maps healing.completed to healing_complete (message = summary, success true)', () => {
    // Prepare
    const ev = eventOf(Events.HealingCompleted, completed('h-1', ['s-aaaaaaaa']));
    // Act
    const out = sessionEventsOf(ev, undefined);
    // Assess
    expect(out).toEqual([
      {
        event: 'healing_complete',
        data: {
          service: 'mcp-demo',
          success: true,
          message: 'mcp-demo is healthy again: scaled demo/mcp-demo from 0 to 1 replica',
          healingId: 'h-1',
          target: demoTarget,
          actions: ['scale_up'],
          durationMs: 4200
        }
      }
    ]);
  });

  it('maps healing.failed to healing_failed (message = reason, recommendation = manual steps joined by newlines)', () => {
    // Prepare
    const ev = eventOf(Events.HealingFailed, failed('h-2', ['s-aaaaaaaa']));
    // Act
    const out = sessionEventsOf(ev, undefined);
    // Assess
    expect(out).toEqual([
      {
        event: 'healing_failed',
        data: {
          service: 'mcp-demo',
          reasonCode: 'manual',
          message: 'report_image_pull manual: image ghcr.io/example/mcp-demo:nope cannot be pulled',
          recommendation:
            'Fix the image reference of deployment/mcp-demo\nkubectl rollout status -n demo deployment/mcp-demo',
          healingId: 'h-2',
          target: demoTarget,
          findings: [{ check: 'pod-status', verdict: 'problem', summary: 'ImagePullBackOff' }],
          manualSteps: [
            'Fix the image reference of deployment/mcp-demo',
            'kubectl rollout status -n demo deployment/mcp-demo'
          ]
        }
      }
    ]);
  });

  it('gives a session the root cause of a failure and when automatic healing resumes after an escalation', () => {
    // Prepare
    const rootCause = {
      kind: 'dependency' as const,
      object: 'demo/postgres',
      evidence: ['Service demo/postgres has no ready endpoints']
    };
    const ev = eventOf(Events.HealingFailed, {
      ...failed('h-3', ['s-aaaaaaaa']),
      reasonCode: 'escalated',
      rootCause,
      resumesAt: '2026-11-27T10:15:00.000Z'
    });
    // Act
    const [out] = sessionEventsOf(ev, undefined);
    // Assess
    expect(out?.data).toMatchObject({ reasonCode: 'escalated', rootCause, resumesAt: '2026-11-27T10:15:00.000Z' });
  });

  it('maps chat.delayed to processing_delay (message = reason)', () => {
    // Prepare
    const ev = eventOf(Events.ChatDelayed, delayed('s-aaaaaaaa'));
    // Act
    const out = sessionEventsOf(ev, undefined);
    // Assess
    expect(out).toEqual([
      { event: 'processing_delay', data: { message: 'Claude is overloaded; retrying', attempt: 1, retryInMs: 2000 } }
    ]);
  });

  it.each([
    ['completed', 'healing_complete', { success: true, message: 'fixed before', actions: ['scale_up'], durationMs: 900 }],
    [
      'failed',
      'healing_failed',
      {
        reasonCode: 'verify_failed',
        message: 'fixed before',
        recommendation: 'step 1\nstep 2',
        manualSteps: ['step 1', 'step 2'],
        findings: []
      }
    ],
    [
      'escalated',
      'healing_failed',
      {
        reasonCode: 'escalated',
        message: 'fixed before',
        recommendation: 'step 1\nstep 2',
        manualSteps: ['step 1', 'step 2']
      }
    ]
  ])(
    'gives sessions joining a %s healing the progress and then the outcome, only to the joiners',
    (status, name, fields) => {
      // Prepare
      const outcome = {
        status,
        ...(status === 'failed' ? { reasonCode: 'verify_failed' } : {}),
        summary: 'fixed before',
        manualSteps: status === 'completed' ? [] : ['step 1', 'step 2']
      };
      const ev = eventOf(Events.HealingProgress, {
        healingId: 'h-old',
        stage: 'joined',
        message: 'already handled',
        done: 0,
        total: 0,
        target: demoTarget,
        sessionIds: ['s-late0001'],
        outcome
      });
      const facts = { sessions: new Set(['s-first001']), ended: { actions: ['scale_up'], durationMs: 900 } };
      // Act
      const out = sessionEventsOf(ev, facts);
      // Assess
      expect(out.map((e) => e.event)).toEqual(['healing_progress', name]);
      expect(out[0]?.data).toMatchObject({ stage: 'joined', outcome });
      expect(out[0]?.only).toBeUndefined();
      expect(out[1]).toMatchObject({
        data: { service: 'mcp-demo', healingId: 'h-old', target: demoTarget, ...fields },
        only: ['s-late0001']
      });
    }
  );

  it('does not synthesize an outcome for a join while the healing still runs', () => {
    // Prepare
    const ev = eventOf(Events.HealingProgress, {
      healingId: 'h-1',
      stage: 'joined',
      message: '1 more session(s) joined',
      done: 0,
      total: 0,
      target: demoTarget,
      sessionIds: ['s-late0001']
    });
    // Act
    const out = sessionEventsOf(ev, undefined);
    // Assess
    expect(out.map((e) => e.event)).toEqual(['healing_progress']);
  });

  it('gives sessions nothing for types browsers do not follow, nor for dead letters', () => {
    // Prepare
    const diagnosis = eventOf(Events.DiagnosisRequested, {
      healingId: 'h-1',
      target: demoTarget,
      phase: 'diagnose',
      checks: ['pod-status']
    });
    const dead = eventOf(Events.HealingStarted, started('h-1', ['s-aaaaaaaa']), {
      deadLetter: { dest: 'http://chat', code: 500, data: undefined }
    });
    // Act
    const out = [...sessionEventsOf(diagnosis, undefined), ...sessionEventsOf(dead, undefined)];
    // Assess
    expect(out).toEqual([]);
  });

  it('rebuilds the whole structured CloudEvent, extensions included (dead-letter ones too)', () => {
    // Prepare
    const ext = {
      correlationid: 'c-1',
      knativeerrordest: 'http://check-pod-status.cortex.svc',
      knativeerrorcode: '500',
      knativeerrordata: 'Ym9vbQ=='
    };
    const ev = eventOf(Events.HealingStarted, started('h-1', ['s-aaaaaaaa']), {
      id: 'e-9',
      source: '/cortex/healing-coordinator',
      extensions: ext
    });
    // Act
    const ce = cloudEventOf(ev);
    // Assess
    expect(ce).toEqual({
      specversion: '1.0',
      id: 'e-9',
      source: '/cortex/healing-coordinator',
      type: 'dev.cortex.healing.started',
      time: '2026-11-27T10:00:00.000Z',
      datacontenttype: 'application/json',
      ...ext,
      data: started('h-1', ['s-aaaaaaaa'])
    });
  });
});
