import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import errorIntake from '../../../../functions/error-intake/index.js';
import { Events } from '../../../../shared/events/catalog.js';
import { defineFunction } from '../../../../shared/runtime/define-function.js';
import { run, type RunningFunction } from '../../../../shared/runtime/run.js';
import { startFakeSink, type FakeSink } from '../../../fakes/sink.js';
import { errorReported, postEvent } from '../../../helpers/events.js';
import { startFakeCollector, type FakeCollector } from '../../../helpers/otlp.js';
import { logCapture } from '../../../helpers/logs.js';

/*
 * W3C trace context through the runtime: a delivery continues the event's traceparent in a span of its own, stamps
 * what it emits with that span, logs its ids, and exports the span to a configured OTLP collector.
 */

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

/** A function with an HTTP route that publishes, like the chat does for a user message. */
const reporter = defineFunction({
  name: 'reporter',
  description: 'test: publishes one error.reported per POST /report',
  on: [],
  emits: [Events.ErrorReported],
  async handle() {
    return [];
  },
  routes(router, ctx) {
    router.post('/report', async (_req, res) => {
      ctx.log.info('reporting');
      await ctx.publish([
        Events.ErrorReported.intent({
          component: 'reporter',
          category: 'mcp_timeout',
          message: 'slow',
          occurredAt: ctx.clock.now().toISOString()
        })
      ]);
      res.status(202).end();
    });
  }
});

describe('Runtime: trace context across a hop', () => {
  let sink: FakeSink;
  let collector: FakeCollector;
  let fn: RunningFunction;
  let route: RunningFunction;
  const logs = logCapture();

  beforeAll(async () => {
    sink = await startFakeSink();
    collector = await startFakeCollector();
    const env = { PORT: '0', HOST: '127.0.0.1', K_SINK: sink.url, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url };
    fn = await run(errorIntake, { overrides: { ...env, CORTEX_LOG_LEVEL: 'info' }, logDestination: logs.stream });
    route = await run(reporter, { overrides: { ...env, CORTEX_LOG_LEVEL: 'info' }, logDestination: logs.stream });
  });
  afterAll(async () => {
    await fn.stop();
    await route.stop();
    await sink.close();
    await collector.close();
  });

  it('continues the incoming traceparent: same trace id, a new span id whose parent is the sender, tracestate kept', async () => {
    // Prepare
    const before = sink.events.length;
    const event = errorReported({}, 't-continue').cloneWith(
      { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'vendor=abc' },
      false
    );
    // Act
    expect((await postEvent(fn.url, event)).status).toBe(202);
    const [out] = sink.events.slice(before);
    const [, traceId, spanId] = TRACEPARENT.exec(String(out?.traceparent))!;
    await collector.until((spans) => spans.some((s) => s.spanId === spanId));
    // Assess
    expect(traceId).toBe(TRACE);
    expect(spanId).not.toBe(PARENT);
    expect(out?.tracestate).toBe('vendor=abc');
    expect(collector.spans.find((s) => s.spanId === spanId)).toMatchObject({
      service: 'error-intake',
      traceId: TRACE,
      parentSpanId: PARENT,
      name: 'dev.cortex.error.reported process',
      kind: 5, // OTLP SPAN_KIND_CONSUMER
      attributes: {
        'cloudevents.event_id': 't-continue',
        'cloudevents.event_type': 'dev.cortex.error.reported',
        'cortex.outcome': 'handled'
      }
    });
  });

  it('starts a new trace for an event without a valid traceparent, and still handles it', async () => {
    // Prepare
    const before = sink.events.length;
    const bad = errorReported({}, 't-bad').cloneWith({ traceparent: '00-zzzz-not-a-trace' }, false);
    // Act
    const status = [(await postEvent(fn.url, errorReported({}, 't-none'))).status, (await postEvent(fn.url, bad)).status];
    const emitted = sink.events.slice(before).map((e) => TRACEPARENT.exec(String(e.traceparent)));
    await collector.until((spans) => emitted.every((m) => spans.some((s) => s.spanId === m?.[2])));
    // Assess
    expect(status).toEqual([202, 202]);
    expect(emitted.every((m) => m !== null)).toBe(true);
    expect(new Set(emitted.map((m) => m![1])).size).toBe(2);
    for (const m of emitted) expect(collector.spans.find((s) => s.spanId === m![2])?.parentSpanId).toBeUndefined();
  });

  it('writes the trace and span ids on the delivery log line', async () => {
    // Prepare
    const before = sink.events.length;
    // Act
    await postEvent(fn.url, errorReported({}, 't-log').cloneWith({ traceparent: `00-${TRACE}-${PARENT}-01` }, false));
    const spanId = TRACEPARENT.exec(String(sink.events[before]?.traceparent))![2];
    // Assess
    const line = logs.lines.find((l) => l.id === 't-log' && l.msg === 'event handled');
    expect(line).toMatchObject({ function: 'error-intake', traceid: TRACE, spanid: spanId });
  });

  it('runs a route in a server span that continues the request traceparent; what it publishes and logs carries that span', async () => {
    // Prepare
    const before = sink.events.length;
    // Act
    const res = await fetch(`${route.url}/report`, { method: 'POST', headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
    const out = sink.events[before];
    const [, traceId, spanId] = TRACEPARENT.exec(String(out?.traceparent))!;
    await collector.until((spans) => spans.some((s) => s.spanId === spanId));
    // Assess
    expect(res.status).toBe(202);
    expect(traceId).toBe(TRACE);
    expect(collector.spans.find((s) => s.spanId === spanId)).toMatchObject({
      service: 'reporter',
      parentSpanId: PARENT,
      name: 'POST /report',
      kind: 2
    });
    expect(logs.lines.find((l) => l.msg === 'reporting')).toMatchObject({ traceid: TRACE, spanid: spanId });
  });

  it('exports nothing when no collector is configured, and still stamps traceparent', async () => {
    // Prepare
    const quiet = await run(errorIntake, {
      overrides: { PORT: '0', HOST: '127.0.0.1', K_SINK: sink.url, CORTEX_LOG_LEVEL: 'silent' }
    });
    const before = sink.events.length;
    const requests = collector.requests;
    try {
      // Act
      await postEvent(quiet.url, errorReported({}, 't-quiet').cloneWith({ traceparent: `00-${TRACE}-${PARENT}-01` }, false));
    } finally {
      await quiet.stop();
    }
    // Assess
    expect(TRACEPARENT.exec(String(sink.events[before]?.traceparent))?.[1]).toBe(TRACE);
    expect(collector.spans.some((s) => s.attributes['cloudevents.event_id'] === 't-quiet')).toBe(false);
    expect(collector.requests).toBe(requests);
  });
});
