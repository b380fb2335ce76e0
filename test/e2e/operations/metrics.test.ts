import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack/index.js';
import { kubectl } from '../../helpers/kubectl.js';
import { scrape, scrapeUntil, type Exposition } from '../../helpers/metrics.js';
import type { SseClient } from '../../helpers/sse.js';
import { errorReport, operatorStream, outcomeFor, publish, startTestStack } from '../../helpers/stack.js';

/*
 * Every function of the local stack serves /metrics on its own registry. After one scale-to-zero healing, the
 * counters of each hop and the coordinator's time-to-heal histogram have moved by exactly what that healing did.
 */

const FUNCTIONS = [
  'error-intake',
  'healing-coordinator',
  'check-pod-status',
  'check-deployment-config',
  'check-pod-logs',
  'remediate-scale-up',
  'sse-relay'
] as const;
type Fn = (typeof FUNCTIONS)[number];

describe('e2e: /metrics of the functions after a healing', () => {
  let stack: LocalStack;
  let ops: SseClient;
  const before = new Map<Fn, Exposition>();
  const after = new Map<Fn, Exposition>();
  const delta = (fn: Fn, name: string, labels?: Record<string, string>): number =>
    after.get(fn)!.value(name, labels) - before.get(fn)!.value(name, labels);
  const sumDelta = (fn: Fn, name: string, labels: Record<string, string>): number =>
    after.get(fn)!.sum(name, labels) - before.get(fn)!.sum(name, labels);

  beforeAll(async () => {
    stack = await startTestStack();
    ops = await operatorStream(stack);
    const url = (fn: Fn): string => stack.functions.get(fn)!.url;
    expect((await kubectl(stack.state.kubeconfig, ['-n', 'demo', 'scale', 'deploy/mcp-demo', '--replicas=0'])).code).toBe(0);
    await stack.sim.waitFor(() => stack.sim.list('Pod', 'demo', 'app=mcp-demo').length === 0, { timeoutMs: 30_000 });
    for (const fn of FUNCTIONS) before.set(fn, await scrape(url(fn)));
    const report = errorReport({ namespace: 'demo', service: 'mcp-demo' }, { id: 'metrics-err-1' });
    expect(await publish(stack, report)).toBe(202);
    const outcome = await outcomeFor(ops, 'mcp-demo');
    expect(outcome.type).toBe('dev.cortex.healing.completed');
    // The same report again, as a broker redelivery would bring it.
    expect(await publish(stack, report)).toBe(202);
    await scrapeUntil(
      url('error-intake'),
      (m) => m.value('cortex_events_received_total', { type: 'dev.cortex.error.reported', outcome: 'duplicate' }) > 0
    );
    // A delivery is counted once it is answered: the coordinator's last one and the relay's may still be finishing.
    await scrapeUntil(
      url('healing-coordinator'),
      (m) => m.value('cortex_events_received_total', { type: 'dev.cortex.diagnosis.completed', outcome: 'handled' }) >= 11
    );
    await scrapeUntil(
      url('sse-relay'),
      (m) => m.value('cortex_events_received_total', { type: 'dev.cortex.healing.completed', outcome: 'handled' }) > 0
    );
    for (const fn of FUNCTIONS) after.set(fn, await scrape(url(fn)));
  });
  afterAll(async () => {
    ops?.close();
    await stack?.stop();
  });

  it("moved the coordinator's healing counters and its time-to-heal histogram by one healing", () => {
    // Assess
    expect(delta('healing-coordinator', 'cortex_healings_started_total')).toBe(1);
    expect(delta('healing-coordinator', 'cortex_healings_completed_total')).toBe(1);
    expect(after.get('healing-coordinator')!.sum('cortex_healings_failed_total')).toBe(0);
    expect(delta('healing-coordinator', 'cortex_time_to_heal_seconds_count')).toBe(1);
    expect(delta('healing-coordinator', 'cortex_time_to_heal_seconds_sum')).toBeGreaterThan(0);
    expect(delta('healing-coordinator', 'cortex_time_to_heal_seconds_bucket', { le: '+Inf' })).toBe(1);
    expect(after.get('healing-coordinator')!.types.get('cortex_time_to_heal_seconds')).toBe('histogram');
  });

  it('counted each hop: received by type and outcome, emitted by type, with handler latencies', () => {
    // Assess
    expect(
      delta('error-intake', 'cortex_events_received_total', { type: 'dev.cortex.error.reported', outcome: 'handled' })
    ).toBe(1);
    expect(delta('error-intake', 'cortex_events_emitted_total', { type: 'dev.cortex.healing.requested' })).toBe(1);
    expect(
      delta('healing-coordinator', 'cortex_events_received_total', {
        type: 'dev.cortex.healing.requested',
        outcome: 'handled'
      })
    ).toBe(1);
    expect(
      delta('healing-coordinator', 'cortex_events_received_total', {
        type: 'dev.cortex.diagnosis.completed',
        outcome: 'handled'
      })
    ).toBe(11);
    expect(delta('healing-coordinator', 'cortex_events_emitted_total', { type: 'dev.cortex.diagnosis.requested' })).toBe(1);
    expect(delta('healing-coordinator', 'cortex_events_emitted_total', { type: 'dev.cortex.verification.requested' })).toBe(
      1
    );
    expect(
      delta('healing-coordinator', 'cortex_events_emitted_total', { type: 'dev.cortex.remediation.scale_up.requested' })
    ).toBe(1);
    expect(
      delta('check-pod-status', 'cortex_events_received_total', {
        type: 'dev.cortex.diagnosis.requested',
        outcome: 'handled'
      })
    ).toBe(1);
    expect(
      delta('check-pod-status', 'cortex_events_received_total', {
        type: 'dev.cortex.verification.requested',
        outcome: 'handled'
      })
    ).toBe(1);
    // Checks that do not verify are not even woken for it.
    expect(sumDelta('check-pod-logs', 'cortex_events_received_total', { type: 'dev.cortex.diagnosis.requested' })).toBe(1);
    expect(sumDelta('check-pod-logs', 'cortex_events_received_total', {})).toBe(1);
    expect(delta('check-deployment-config', 'cortex_events_emitted_total', { type: 'dev.cortex.diagnosis.completed' })).toBe(
      1
    );
    expect(
      delta('remediate-scale-up', 'cortex_events_received_total', {
        type: 'dev.cortex.remediation.scale_up.requested',
        outcome: 'handled'
      })
    ).toBe(1);
    expect(delta('remediate-scale-up', 'cortex_events_emitted_total', { type: 'dev.cortex.remediation.completed' })).toBe(1);
    expect(
      delta('remediate-scale-up', 'cortex_handler_duration_seconds_count', {
        type: 'dev.cortex.remediation.scale_up.requested'
      })
    ).toBe(1);
    expect(
      delta('sse-relay', 'cortex_events_received_total', { type: 'dev.cortex.healing.completed', outcome: 'handled' })
    ).toBe(1);
  });

  it('counted the redelivered report as a duplicate and a redelivery, and answered every delivery 2xx', () => {
    // Assess
    expect(
      delta('error-intake', 'cortex_events_received_total', { type: 'dev.cortex.error.reported', outcome: 'duplicate' })
    ).toBe(1);
    expect(delta('error-intake', 'cortex_redeliveries_total', { type: 'dev.cortex.error.reported' })).toBe(1);
    expect(delta('error-intake', 'cortex_events_emitted_total', { type: 'dev.cortex.healing.requested' })).toBe(1);
    expect(delta('error-intake', 'cortex_http_responses_total', { handler: 'event', class: '2xx' })).toBe(2);
    for (const fn of FUNCTIONS)
      expect(after.get(fn)!.sum('cortex_http_responses_total', { handler: 'event', class: '5xx' }), fn).toBe(0);
  });

  it("shows the relay's connected SSE clients by kind", async () => {
    // Prepare
    const relay = stack.functions.get('sse-relay')!.url;
    const second = await operatorStream(stack);
    // Act
    const withTwo = await scrape(relay);
    second.close();
    const withOne = await scrapeUntil(relay, (m) => m.value('cortex_sse_clients', { kind: 'operator' }) === 1);
    // Assess
    expect(withTwo.value('cortex_sse_clients', { kind: 'operator' })).toBe(2);
    expect(withTwo.value('cortex_sse_clients', { kind: 'session' })).toBe(0);
    expect(withOne.types.get('cortex_sse_clients')).toBe('gauge');
  });
});
