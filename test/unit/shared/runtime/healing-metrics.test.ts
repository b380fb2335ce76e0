import { describe, expect, it } from 'vitest';
import { createFunctionMetrics } from '../../../../shared/runtime/metrics.js';
import type { CloudEventRecord } from '../../../../shared/events/http.js';
import { parseExposition } from '../../../helpers/metrics.js';

const COORDINATOR_EMITS = [
  'dev.cortex.healing.started',
  'dev.cortex.healing.progress',
  'dev.cortex.healing.completed',
  'dev.cortex.healing.failed'
];
const target = { namespace: 'demo', service: 'mcp-demo' };

function event(id: string, type: string, data: Record<string, unknown>): CloudEventRecord {
  return {
    specversion: '1.0',
    id,
    source: '/cortex/healing-coordinator',
    type,
    data: { healingId: 'h-1', target, ...data }
  };
}

describe('Metrics: healing outcomes of the coordinator', () => {
  it('labels a failed healing with its reason code, never its prose', async () => {
    // Prepare
    const metrics = createFunctionMetrics(
      { name: 'healing-coordinator', emits: COORDINATOR_EMITS },
      { processMetrics: false }
    );
    // Act: the prose reads like an escalation; the code says it was verification
    metrics.emitted(
      event('hf-2', 'dev.cortex.healing.failed', {
        reasonCode: 'verify_failed',
        reason: 'repeated failures: escalated',
        findings: [],
        manualSteps: []
      })
    );
    const m = parseExposition(await metrics.registry.metrics());
    // Assess
    expect(m.value('cortex_healings_failed_total', { reason: 'verify_failed' })).toBe(1);
    expect(m.value('cortex_healings_failed_total', { reason: 'escalated' })).toBe(0);
    expect(m.value('cortex_healings_failed_total', { reason: 'repeat_suppressed' })).toBe(0);
  });

  it('counts started, completed and failed healings and observes time to heal, once per event id', async () => {
    // Prepare
    const metrics = createFunctionMetrics(
      { name: 'healing-coordinator', emits: COORDINATOR_EMITS },
      { processMetrics: false }
    );
    const completed = event('hc-1', 'dev.cortex.healing.completed', {
      actions: ['scale_up'],
      durationMs: 4210,
      summary: 'ok'
    });
    // Act
    metrics.emitted(event('hs-1', 'dev.cortex.healing.started', { reason: 'r', checks: [], sessionIds: [] }));
    metrics.emitted(completed);
    metrics.emitted(completed); // republished after a failed delivery: same deterministic id
    metrics.emitted(
      event('hf-1', 'dev.cortex.healing.failed', {
        reasonCode: 'denied',
        reason: 'scale_up denied: not opted in',
        findings: [],
        manualSteps: []
      })
    );
    metrics.emitted(event('hp-1', 'dev.cortex.healing.progress', { stage: 'diagnose', message: '', done: 0, total: 8 }));
    const m = parseExposition(await metrics.registry.metrics());
    // Assess
    expect(m.value('cortex_healings_started_total')).toBe(1);
    expect(m.value('cortex_healings_completed_total')).toBe(1);
    expect(m.value('cortex_healings_failed_total', { reason: 'denied' })).toBe(1);
    expect(m.value('cortex_healings_failed_total', { reason: 'escalated' })).toBe(0);
    expect(m.value('cortex_time_to_heal_seconds_count')).toBe(1);
    expect(m.value('cortex_time_to_heal_seconds_sum')).toBeCloseTo(4.21);
    expect(m.value('cortex_time_to_heal_seconds_bucket', { le: '5' })).toBe(1);
    expect(m.value('cortex_time_to_heal_seconds_bucket', { le: '2' })).toBe(0);
    expect(m.value('cortex_events_emitted_total', { type: 'dev.cortex.healing.completed' })).toBe(2);
    expect(m.types.get('cortex_time_to_heal_seconds')).toBe('histogram');
  });

  it('exposes healing series only on functions that emit healing outcomes', async () => {
    // Prepare
    const intake = createFunctionMetrics(
      { name: 'error-intake', emits: ['dev.cortex.healing.requested'] },
      { processMetrics: false }
    );
    // Act
    const text = await intake.registry.metrics();
    // Assess
    expect(text).toContain('cortex_events_received_total');
    expect(text).not.toContain('cortex_healings_started_total');
  });

  it('reads a function gauge when scraped', async () => {
    // Prepare
    const metrics = createFunctionMetrics({ name: 'sse-relay', emits: [] }, { processMetrics: false });
    let open = 2;
    metrics.gauge({
      name: 'cortex_sse_clients',
      help: 'h',
      labelNames: ['kind'],
      read: () => [{ labels: { kind: 'operator' }, value: open }]
    });
    // Act
    const first = parseExposition(await metrics.registry.metrics()).value('cortex_sse_clients', { kind: 'operator' });
    open = 0;
    const second = parseExposition(await metrics.registry.metrics()).value('cortex_sse_clients', { kind: 'operator' });
    // Assess
    expect([first, second]).toEqual([2, 0]);
  });
});
