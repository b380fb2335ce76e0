import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import errorIntake from '../../../../functions/error-intake/index.js';
import { run, type RunningFunction } from '../../../../shared/runtime/run.js';
import { startFakeSink, type FakeSink } from '../../../fakes/sink.js';
import { errorReported, postEvent } from '../../../helpers/events.js';
import { scrape } from '../../../helpers/metrics.js';

const REPORTED = 'dev.cortex.error.reported';

describe('Runtime: /metrics over real HTTP (error-intake)', () => {
  let sink: FakeSink;
  let fn: RunningFunction;
  const start = (): Promise<RunningFunction> =>
    run(errorIntake, { overrides: { PORT: '0', HOST: '127.0.0.1', K_SINK: sink.url, CORTEX_LOG_LEVEL: 'silent' } });

  beforeAll(async () => {
    sink = await startFakeSink();
    fn = await start();
  });
  afterAll(async () => {
    await fn.stop();
    await sink.close();
  });

  it('serves Prometheus text with the runtime series and the process defaults', async () => {
    // Prepare
    await postEvent(fn.url, errorReported({}, 'm-first'));
    // Act
    const res = await fetch(`${fn.url}/metrics`);
    const text = await res.text();
    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'cortex_events_received_total',
      'cortex_events_emitted_total',
      'cortex_handler_duration_seconds',
      'cortex_redeliveries_total',
      'cortex_http_responses_total'
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('# TYPE cortex_handler_duration_seconds histogram');
    expect(text).toContain('process_cpu_user_seconds_total');
    // error-intake emits no healing outcomes: no healing series here
    expect(text).not.toContain('cortex_healings_started_total');
  });

  it('counts a handled event, what it emitted and how long it took', async () => {
    // Prepare
    const before = await scrape(fn.url);
    // Act
    expect((await postEvent(fn.url, errorReported({}, 'm-handled'))).status).toBe(202);
    const after = await scrape(fn.url);
    // Assess
    const delta = (name: string, labels?: Record<string, string>): number =>
      after.value(name, labels) - before.value(name, labels);
    expect(delta('cortex_events_received_total', { type: REPORTED, outcome: 'handled' })).toBe(1);
    expect(delta('cortex_events_emitted_total', { type: 'dev.cortex.healing.requested' })).toBe(1);
    expect(delta('cortex_handler_duration_seconds_count', { type: REPORTED })).toBe(1);
    expect(after.value('cortex_handler_duration_seconds_sum', { type: REPORTED })).toBeGreaterThan(
      before.value('cortex_handler_duration_seconds_sum', { type: REPORTED })
    );
  });

  it('counts a redelivered event as a duplicate and a redelivery', async () => {
    // Prepare
    const event = errorReported({}, 'm-dup');
    await postEvent(fn.url, event);
    const before = await scrape(fn.url);
    // Act
    await postEvent(fn.url, event, 'structured');
    const after = await scrape(fn.url);
    // Assess
    expect(
      after.value('cortex_events_received_total', { type: REPORTED, outcome: 'duplicate' }) -
        before.value('cortex_events_received_total', { type: REPORTED, outcome: 'duplicate' })
    ).toBe(1);
    expect(
      after.value('cortex_redeliveries_total', { type: REPORTED }) -
        before.value('cortex_redeliveries_total', { type: REPORTED })
    ).toBe(1);
    expect(after.value('cortex_events_emitted_total', { type: 'dev.cortex.healing.requested' })).toBe(
      before.value('cortex_events_emitted_total', { type: 'dev.cortex.healing.requested' })
    );
  });

  it('counts rejected events by type, or as "unknown" when there is no usable type, and 4xx answers', async () => {
    // Prepare
    const before = await scrape(fn.url);
    // Act
    const invalid = await postEvent(fn.url, errorReported({ category: 'not-a-category' }, 'm-bad'));
    const notAnEvent = await fetch(fn.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const after = await scrape(fn.url);
    // Assess
    expect([invalid.status, notAnEvent.status]).toEqual([400, 400]);
    expect(
      after.value('cortex_events_received_total', { type: REPORTED, outcome: 'rejected' }) -
        before.value('cortex_events_received_total', { type: REPORTED, outcome: 'rejected' })
    ).toBe(1);
    expect(
      after.value('cortex_events_received_total', { type: 'unknown', outcome: 'rejected' }) -
        before.value('cortex_events_received_total', { type: 'unknown', outcome: 'rejected' })
    ).toBe(1);
    expect(
      after.value('cortex_http_responses_total', { handler: 'event', class: '4xx' }) -
        before.value('cortex_http_responses_total', { handler: 'event', class: '4xx' })
    ).toBe(2);
  });

  it('counts a failed delivery (sink down, 503) and the broker retry that follows it as a redelivery', async () => {
    // Prepare
    const event = errorReported({}, 'm-retry');
    const before = await scrape(fn.url);
    sink.answer(503);
    // Act
    const first = await postEvent(fn.url, event);
    sink.answer(202);
    const retry = await postEvent(fn.url, event);
    const after = await scrape(fn.url);
    // Assess
    expect([first.status, retry.status]).toEqual([503, 202]);
    const delta = (name: string, labels: Record<string, string>): number =>
      after.value(name, labels) - before.value(name, labels);
    expect(delta('cortex_events_received_total', { type: REPORTED, outcome: 'failed' })).toBe(1);
    expect(delta('cortex_events_received_total', { type: REPORTED, outcome: 'handled' })).toBe(1);
    expect(delta('cortex_redeliveries_total', { type: REPORTED })).toBe(1);
    expect(delta('cortex_http_responses_total', { handler: 'event', class: '5xx' })).toBe(1);
  });

  it('keeps each served function on its own registry: a second error-intake in the process starts from zero', async () => {
    // Prepare
    const second = await start();
    try {
      // Act
      await postEvent(second.url, errorReported({}, 'm-second'));
      const [mine, theirs] = await Promise.all([scrape(second.url), scrape(fn.url)]);
      // Assess
      expect(mine.value('cortex_events_received_total', { type: REPORTED, outcome: 'handled' })).toBe(1);
      expect(theirs.value('cortex_events_received_total', { type: REPORTED, outcome: 'handled' })).toBeGreaterThanOrEqual(3);
    } finally {
      await second.stop();
    }
  });
});
