import { describe, expect, it } from 'vitest';
import errorIntake from '../../../../functions/error-intake/index.js';
import { Events } from '../../../../shared/events/catalog.js';
import { ctxFor, eventOf } from '../../../fakes/ctx.js';

const report = (data: Record<string, unknown>) =>
  eventOf(
    Events.ErrorReported,
    {
      component: 'chat',
      category: 'mcp_unreachable',
      message: 'connect ECONNREFUSED',
      occurredAt: '2026-11-27T10:00:00.000Z',
      ...data
    },
    { id: 'err-1', source: '/cortex/chat' }
  );

describe('Function: error-intake', () => {
  it('asks for a healing of the Service a cluster URL names, with the report and its session', async () => {
    // Prepare
    const event = report({ target: { url: 'http://mcp-demo.demo.svc.cluster.local/mcp' }, sessionId: 's-1' });
    // Act
    const intents = await errorIntake.handle(event, await ctxFor(errorIntake));
    // Assess
    expect(intents).toEqual([
      Events.HealingRequested.intent({
        target: { namespace: 'demo', service: 'mcp-demo', url: 'http://mcp-demo.demo.svc.cluster.local/mcp' },
        category: 'mcp_unreachable',
        reportIds: ['err-1'],
        sessionIds: ['s-1'],
        occurredAt: '2026-11-27T10:00:00.000Z',
        message: 'connect ECONNREFUSED'
      })
    ]);
  });

  it.each([
    ['a Claude API failure', { category: 'llm_overloaded', target: { namespace: 'demo', service: 'mcp-demo' } }],
    ['a workload failure without a target', {}],
    ['a URL that names no Service', { target: { url: 'http://localhost:3000/mcp' } }]
  ])('records %s and asks for nothing', async (_name, data) => {
    // Act
    const intents = await errorIntake.handle(report(data), await ctxFor(errorIntake));
    // Assess
    expect(intents).toEqual([]);
  });
});
