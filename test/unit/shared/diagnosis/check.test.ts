import { describe, expect, it } from 'vitest';
import { checkSetup, requestsOf, runCheck } from '../../../../shared/diagnosis/check.js';
import { CHECKS, VERIFY_CHECKS } from '../../../../shared/events/schemas.js';
import { Events } from '../../../../shared/events/catalog.js';
import { ConflictError, ForbiddenError } from '../../../../shared/runtime/errors.js';
import { createFakeCtx } from '../../../fakes/ctx.js';
import { request } from '../../../helpers/check-cluster.js';

describe('Diagnosis: what a check subscribes to', () => {
  it('every check takes diagnosis.requested; only pod-status and service-endpoints also take verification.requested', () => {
    // Act
    const types = Object.fromEntries(CHECKS.map((c) => [c, requestsOf(c).map((d) => d.type)]));
    // Assess
    expect(VERIFY_CHECKS).toEqual(['pod-status', 'service-endpoints']);
    for (const c of CHECKS)
      expect(types[c], c).toEqual(
        VERIFY_CHECKS.includes(c)
          ? [Events.DiagnosisRequested.type, Events.VerificationRequested.type]
          : [Events.DiagnosisRequested.type]
      );
  });
});

describe('Diagnosis: runCheck', () => {
  it('passes the request through and emits exactly one completed event with the target', async () => {
    // Prepare
    const seen: unknown[] = [];
    // Act
    const intents = await runCheck(
      'events',
      request(['events'], { phase: 'verify', deadline: '2026-11-27T10:00:30.000Z' }),
      createFakeCtx({ setup: checkSetup }),
      async (req) => {
        seen.push(req);
        return { verdict: 'healthy', summary: 'fine', evidence: [] };
      }
    );
    // Assess
    expect(seen).toEqual([
      {
        healingId: 'h-1',
        target: { namespace: 'demo', service: 'mcp-demo' },
        phase: 'verify',
        deadline: new Date('2026-11-27T10:00:30.000Z')
      }
    ]);
    expect(intents).toEqual([
      Events.DiagnosisCompleted.intent({
        healingId: 'h-1',
        check: 'events',
        phase: 'verify',
        verdict: 'healthy',
        summary: 'fine',
        evidence: [],
        target: { namespace: 'demo', service: 'mcp-demo' }
      })
    ]);
  });

  it('keeps a huge finding within the catalog schema bounds', async () => {
    // Act
    const [intent] = await runCheck('events', request(['events']), createFakeCtx({ setup: checkSetup }), async () => ({
      verdict: 'problem',
      summary: 's'.repeat(5000),
      evidence: Array.from({ length: 300 }, (_, i) => ({
        subject: `x${i}`.repeat(200),
        detail: 'd'.repeat(10_000),
        reason: 'r'.repeat(300),
        count: i
      }))
    }));
    // Assess
    const data = Events.DiagnosisCompleted.data.parse(intent!.data);
    expect(data.summary).toHaveLength(2048);
    expect(data.evidence).toHaveLength(51);
    expect(data.evidence.at(-1)).toEqual({ subject: 'evidence', detail: '250 more items left out' });
  });

  it('turns ForbiddenError into inconclusive and rethrows anything else', async () => {
    // Act
    const [forbidden] = await runCheck('events', request(['events']), createFakeCtx({ setup: checkSetup }), async () => {
      throw new ForbiddenError('listing events in demo failed: 403\nsecond line');
    });
    const conflict = runCheck('events', request(['events']), createFakeCtx({ setup: checkSetup }), async () => {
      throw new ConflictError('conflict');
    });
    // Assess
    expect(forbidden!.data).toMatchObject({
      verdict: 'inconclusive',
      summary: 'forbidden: listing events in demo failed: 403 second line'
    });
    await expect(conflict).rejects.toBeInstanceOf(ConflictError);
  });
});
