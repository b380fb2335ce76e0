import { describe, expect, it } from 'vitest';
import { Events } from '../../../../shared/events/catalog.js';
import { functionOfDest, toInput, type CoordinatorEvent } from '../../../../functions/healing-coordinator/input.js';
import { eventOf } from '../../../fakes/ctx.js';

const target = { namespace: 'demo', service: 'mcp-demo' };
const NOW = '2026-11-27T10:00:05.000Z';
const dead = (dest: string, code = 503) => ({ deadLetter: { dest, code, data: undefined } });
const asInput = (e: unknown): CoordinatorEvent => e as CoordinatorEvent;

describe('Function: healing-coordinator, toInput', () => {
  it('turns a healing request into a requested input keyed by (source, id), with its trace', () => {
    // Prepare
    const event = eventOf(
      Events.HealingRequested,
      { target, category: 'mcp_unreachable', reportIds: ['e1'], sessionIds: ['s1'] },
      { id: 'hr-1', source: '/cortex/error-intake', extensions: { traceparent: '00-aa-bb-01' } }
    );
    // Act
    const routed = toInput(asInput(event), NOW);
    // Assess
    expect(routed).toMatchObject({
      kind: 'saga',
      target,
      input: { kind: 'requested', key: '/cortex/error-intake\u0000hr-1', time: event.time, trace: '00-aa-bb-01' }
    });
  });

  it('routes a check answer without a target to a look-up by healing id', () => {
    // Prepare
    const event = eventOf(Events.DiagnosisCompleted, {
      healingId: 'h-1',
      check: 'pod-status',
      phase: 'diagnose',
      verdict: 'healthy',
      summary: 'ok'
    });
    // Act
    const routed = toInput(asInput(event), NOW);
    // Assess
    expect(routed).toMatchObject({ kind: 'saga', target: undefined, healingId: 'h-1', input: { kind: 'diagnosis' } });
  });

  it('turns a PingSource tick into a deadline check named by the tick', () => {
    // Act
    const routed = toInput(asInput(eventOf(Events.PingTick, {}, { id: 'ping-7' })), NOW);
    // Assess
    expect(routed).toEqual({ kind: 'tick', tickId: 'ping-7' });
  });

  it.each([
    ['diagnosis', 'http://check-pod-status.cortex.svc.cluster.local', 'pod-status'],
    ['diagnosis', 'http://127.0.0.1:4312/check-pod-status', 'pod-status'],
    ['verification', 'http://check-pod-status.cortex.svc.cluster.local', 'pod-status']
  ])('marks the check a dead-lettered %s request was for (%s) as lost', (kind, dest, check) => {
    // Prepare
    const event = eventOf(
      kind === 'verification' ? Events.VerificationRequested : Events.DiagnosisRequested,
      { healingId: 'h-1', target, phase: 'verify', checks: ['pod-status', 'service-endpoints'] },
      { id: 'dr-1', source: '/cortex/healing-coordinator', ...dead(dest) }
    );
    // Act
    const routed = toInput(asInput(event), NOW);
    // Assess
    expect(routed).toMatchObject({
      kind: 'saga',
      target,
      input: {
        kind: 'check-lost',
        key: `/cortex/healing-coordinator\u0000dr-1#${dest}`,
        phase: 'verify',
        checks: [check],
        reason: 'check-pod-status did not take the request (dead-lettered, HTTP 503)'
      }
    });
  });

  it('ignores a dead letter from a check that was not asked, or from an unknown destination', () => {
    // Prepare
    const data = { healingId: 'h-1', target, phase: 'verify' as const, checks: ['service-endpoints' as const] };
    const notAsked = eventOf(Events.DiagnosisRequested, data, dead('http://check-pod-status.cortex.svc'));
    const unknown = eventOf(Events.DiagnosisRequested, data, dead('http://other.cortex.svc/nope'));
    // Act
    const routed = [toInput(asInput(notAsked), NOW), toInput(asInput(unknown), NOW)];
    // Assess
    expect(routed.map((r) => r.kind)).toEqual(['ignore', 'ignore']);
  });

  it('takes the action of a dead-lettered remediation request from its type', () => {
    // Prepare
    const event = eventOf(
      Events.RemediationRequested.scale_up,
      { healingId: 'h-1', target, params: {}, dryRun: false },
      dead('http://somewhere.example/hook', 0)
    );
    // Act
    const routed = toInput(asInput(event), NOW);
    // Assess
    expect(routed).toMatchObject({
      kind: 'saga',
      input: {
        kind: 'action-lost',
        healingId: 'h-1',
        action: 'scale_up',
        reason: 'remediate-scale-up did not take the request (dead-lettered)'
      }
    });
  });

  it('names the function behind a destination only when it is one it knows', () => {
    // Prepare
    const known = new Set(['check-events']);
    // Act
    const found = ['http://check-events.cortex.svc', 'http://x/y/check-events', 'http://check-eventsx', 'not a url'].map(
      (d) => functionOfDest(d, known)
    );
    // Assess
    expect(found).toEqual(['check-events', 'check-events', undefined, undefined]);
  });
});
