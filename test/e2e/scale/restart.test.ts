import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorReport, publish, type StreamedEvent } from '../../helpers/stack.js';
import { pidsOf, scale, startScaledStack, type ScaledStack } from '../../helpers/scaled.js';

/*
 * Every replica of every function stopped and started again on the same Redis (DESIGN §11): a target that used its
 * budget of mutating actions is still escalated (at plan time: nothing applied), and a healing that was in flight
 * finishes.
 */

const outcomeOf =
  (service: string) =>
  (e: StreamedEvent): boolean =>
    (e.type === 'dev.cortex.healing.completed' || e.type === 'dev.cortex.healing.failed') &&
    (e.data.target as { service: string }).service === service;

describe('e2e scale: a restart of every function on the same Redis', () => {
  let s: ScaledStack;

  beforeAll(async () => {
    s = await startScaledStack('error-intake=2,healing-coordinator=2', { CORTEX_HEALING_BUDGET: '1' });
  }, 180_000);
  afterAll(async () => {
    await s?.stop();
  });

  it('keeps the budget it used and finishes the healing it had started', async () => {
    // Prepare: mcp-demo uses its budget of one remediation
    await scale(s.stack, 'mcp-demo', 0);
    let after = s.ops.events().length;
    await publish(s.stack, errorReport({ namespace: 'demo', service: 'mcp-demo' }));
    await s.ops.until((ev) => ev.slice(after).some(outcomeOf('mcp-demo')), 120_000);
    const first = s.ops.events().slice(after).find(outcomeOf('mcp-demo'))!;
    // … and mcp-tools is being healed when everything restarts
    await scale(s.stack, 'mcp-tools', 0);
    after = s.ops.events().length;
    await publish(s.stack, errorReport({ namespace: 'demo', service: 'mcp-tools' }, { sessionId: 'in-flight' }));
    await s.ops.until((ev) => ev.slice(after).some((e) => e.type === 'dev.cortex.healing.started'), 60_000);
    const before = pidsOf(s.stack);
    // Act: every function stops (the relay too, which ends this stream: it resumes with Last-Event-ID) and starts again
    await s.stack.restartFunctions();
    await s.ops.until((ev) => ev.some(outcomeOf('mcp-tools')), 180_000);
    const inFlight = s.ops.events().find(outcomeOf('mcp-tools'))!;
    await scale(s.stack, 'mcp-demo', 0);
    const later = s.ops.events().length;
    await publish(s.stack, errorReport({ namespace: 'demo', service: 'mcp-demo' }, { sessionId: 'after-restart' }));
    await s.ops.until((ev) => ev.slice(later).some(outcomeOf('mcp-demo')), 120_000);
    const again = s.ops.events().slice(later).find(outcomeOf('mcp-demo'))!;
    // Assess
    expect([first.type, first.data.actions]).toEqual(['dev.cortex.healing.completed', ['scale_up']]);
    expect(Object.values(pidsOf(s.stack)).flat()).not.toEqual(expect.arrayContaining(Object.values(before).flat()));
    expect([inFlight.type, inFlight.data.actions, inFlight.data.sessionIds]).toEqual([
      'dev.cortex.healing.completed',
      ['scale_up'],
      ['in-flight']
    ]);
    expect([again.type, again.data.reasonCode]).toEqual(['dev.cortex.healing.failed', 'escalated']);
    expect(
      s.ops
        .events()
        .slice(later)
        .filter((e) => e.type === 'dev.cortex.remediation.scale_up.requested')
    ).toEqual([]);
  }, 600_000);
});
