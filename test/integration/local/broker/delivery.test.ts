import { afterEach, describe, expect, it } from 'vitest';
import { eventually, finalOutcomes, freePort, sendBinary, trigger, type Subscriber, useServers } from './harness.js';

/*
 * Retries, backoff, dead letters and drops against real subscribers. Timing assertions are lower bounds on the gaps
 * between attempts as the subscriber saw them (a gap is the backoff plus a request), and their ordering.
 */

const decode = (b64: unknown): string => Buffer.from(String(b64), 'base64').toString('utf8');
const gaps = (sub: Subscriber): number[] => sub.received.slice(1).map((r, i) => r.at - sub.received[i]!.at);
/**
 * Gaps are measured where the attempts arrive, so one attempt that reaches the subscriber late (a loaded machine) makes
 * the next gap look shorter; the delays the broker waited are asserted exactly from its outcomes.
 */
const SLACK_MS = 50;

describe('Local broker delivery: retries, backoff, dead letters (real HTTP)', () => {
  const { subscriber, broker } = useServers(afterEach);

  it('retries 503 with exponential backoff (100, 200, 400 ms) and delivers on the 4th attempt', async () => {
    // Prepare
    const sub = await subscriber((_req, n) => ({ status: n < 3 ? 503 : 202 }));
    const tb = await broker(
      trigger(
        't',
        `  delivery: { retry: 3, backoffPolicy: exponential, backoffDelay: PT0.1S }\n  subscriber: { uri: ${sub.url} }`
      )
    );
    // Act
    await sendBinary(tb.broker.url, { id: 'exp-1', type: 'dev.cortex.test' });
    await eventually(() => expect(finalOutcomes(tb.outcomes, 'exp-1')).toHaveLength(1));
    // Assess
    expect(sub.received).toHaveLength(4);
    const [g1, g2, g3] = gaps(sub);
    expect(g1).toBeGreaterThanOrEqual(100 - SLACK_MS);
    expect(g2).toBeGreaterThanOrEqual(200 - SLACK_MS);
    expect(g3).toBeGreaterThanOrEqual(400 - SLACK_MS);
    expect(g1!).toBeLessThan(g2!);
    expect(g2!).toBeLessThan(g3!);
    expect(finalOutcomes(tb.outcomes, 'exp-1')[0]).toMatchObject({ kind: 'delivered', attempts: 4 });
    expect(tb.outcomes.filter((o) => o.kind === 'retry').map((o) => o.delayMs)).toEqual([100, 200, 400]);
    expect(tb.broker.stats().triggers['cortex/t']).toMatchObject({ matched: 1, delivered: 1, retried: 3, deadLettered: 0 });
  });

  it('spaces linear retries 0, 100, 200 ms, then dead-letters after retry + 1 attempts', async () => {
    // Prepare
    const sub = await subscriber(() => ({ status: 500, body: 'boom' }));
    const dls = await subscriber();
    const tb = await broker(
      trigger(
        't',
        `  delivery:
    retry: 3
    backoffPolicy: linear
    backoffDelay: PT0.1S
    deadLetterSink: { ref: { kind: Service, name: dls } }
  subscriber: { uri: ${sub.url} }`
      ),
      { dls: dls.url }
    );
    // Act
    await sendBinary(tb.broker.url, { id: 'lin-1', type: 'dev.cortex.test' });
    await eventually(() => expect(finalOutcomes(tb.outcomes, 'lin-1')).toHaveLength(1));
    // Assess
    expect(sub.received).toHaveLength(4);
    const [, g2, g3] = gaps(sub);
    expect(g2).toBeGreaterThanOrEqual(100 - SLACK_MS);
    expect(g3).toBeGreaterThanOrEqual(200 - SLACK_MS);
    expect(g2!).toBeLessThan(g3!);
    expect(finalOutcomes(tb.outcomes, 'lin-1')[0]).toMatchObject({ kind: 'dead-lettered', attempts: 4, status: 500 });
    expect(dls.received).toHaveLength(1);
  });

  it('does not retry a 400, and the dead-letter sink gets the original event with the three extensions', async () => {
    // Prepare
    const errorBody = JSON.stringify({ error: { code: 'invalid_event', message: 'data.target: required' } });
    const sub = await subscriber(() => ({ status: 400, headers: { 'content-type': 'application/json' }, body: errorBody }));
    const dls = await subscriber();
    const tb = await broker(
      trigger(
        'check',
        `  delivery:
    retry: 5
    backoffPolicy: exponential
    backoffDelay: PT0.01S
    deadLetterSink: { ref: { apiVersion: serving.knative.dev/v1, kind: Service, name: coordinator }, uri: /dead-letters }
  subscriber: { uri: ${sub.url}/check }`
      ),
      { coordinator: dls.url }
    );
    // Act
    await sendBinary(tb.broker.url, {
      id: 'bad-1',
      type: 'dev.cortex.test',
      extensions: { correlationid: 'c-7' },
      data: { healingId: 'h-1' }
    });
    await eventually(() => expect(finalOutcomes(tb.outcomes, 'bad-1')).toHaveLength(1));
    // Assess
    expect(sub.received).toHaveLength(1);
    expect(dls.received).toHaveLength(1);
    const dead = dls.received[0]!;
    expect(dead.url).toBe('/dead-letters');
    expect(dead.headers).toMatchObject({
      'ce-id': 'bad-1',
      'ce-type': 'dev.cortex.test',
      'ce-correlationid': 'c-7',
      'ce-knativeerrordest': `${sub.url}/check`,
      'ce-knativeerrorcode': '400'
    });
    expect(dead.headers.prefer).toBeUndefined();
    expect(dead.headers['ce-knativebrokerttl']).toBeUndefined();
    expect(decode(dead.headers['ce-knativeerrordata'])).toBe(errorBody);
    expect(JSON.parse(dead.body)).toEqual({ healingId: 'h-1' });
    expect(tb.broker.stats()).toMatchObject({ retried: 0, deadLettered: 1, delivered: 0 });
  });

  it('caps knativeerrordata at 1024 base64 characters', async () => {
    // Prepare
    const sub = await subscriber(() => ({ status: 422, body: 'e'.repeat(4000) }));
    const dls = await subscriber();
    const tb = await broker(
      trigger('t', `  delivery: { deadLetterSink: { uri: ${dls.url} } }\n  subscriber: { uri: ${sub.url} }`)
    );
    // Act
    await sendBinary(tb.broker.url, { id: 'cap-1', type: 'dev.cortex.test' });
    await eventually(() => expect(dls.received).toHaveLength(1));
    // Assess
    const data = String(dls.received[0]!.headers['ce-knativeerrordata']);
    expect(data).toHaveLength(1024);
    expect(decode(data)).toBe('e'.repeat(768));
    expect(dls.received[0]!.headers['ce-knativeerrorcode']).toBe('422');
  });

  it('treats a 2xx with a non-CloudEvent body as a failure (502): retried, then dead-lettered', async () => {
    // Prepare
    const sub = await subscriber(() => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'OK' }));
    const dls = await subscriber();
    const tb = await broker(
      trigger(
        't',
        `  delivery: { retry: 2, backoffPolicy: exponential, backoffDelay: PT0.01S, deadLetterSink: { uri: ${dls.url} } }\n  subscriber: { uri: ${sub.url} }`
      )
    );
    // Act
    await sendBinary(tb.broker.url, { id: 'nonce-1', type: 'dev.cortex.test' });
    await eventually(() => expect(dls.received).toHaveLength(1));
    // Assess
    expect(sub.received).toHaveLength(3);
    expect(dls.received[0]!.headers['ce-knativeerrorcode']).toBe('502');
    expect(decode(dls.received[0]!.headers['ce-knativeerrordata'])).toBe('OK');
    expect(tb.outcomes.filter((o) => o.kind === 'retry' && o.id === 'nonce-1')).toHaveLength(2);
  });

  it('delivers an event accepted while the subscriber is down once it comes back within the retry window', async () => {
    // Prepare
    const port = await freePort();
    const tb = await broker(
      trigger(
        't',
        `  delivery: { retry: 6, backoffPolicy: exponential, backoffDelay: PT0.1S }\n  subscriber: { uri: http://127.0.0.1:${port}/ }`
      )
    );
    // Act
    const res = await sendBinary(tb.broker.url, { id: 'down-1', type: 'dev.cortex.test' });
    await eventually(() => expect(tb.outcomes.some((o) => o.kind === 'retry' && o.id === 'down-1')).toBe(true));
    const sub = await subscriber(undefined, port);
    await eventually(() => expect(finalOutcomes(tb.outcomes, 'down-1')).toHaveLength(1));
    // Assess
    expect(res.status).toBe(202);
    expect(finalOutcomes(tb.outcomes, 'down-1')[0]).toMatchObject({ kind: 'delivered' });
    expect(sub.received.map((r) => r.headers['ce-id'])).toEqual(['down-1']);
    const firstRetry = tb.outcomes.find((o) => o.kind === 'retry' && o.id === 'down-1')!;
    expect(firstRetry.status).toBeUndefined();
    expect(firstRetry.reason).toMatch(/ECONNREFUSED/);
  });

  it('dead-letters a subscriber that stays down with code 500 and "dispatch error: …", as Knative does', async () => {
    // Prepare
    const port = await freePort();
    const dls = await subscriber();
    const tb = await broker(
      trigger(
        't',
        `  delivery: { retry: 1, backoffPolicy: linear, backoffDelay: PT0.01S, deadLetterSink: { uri: ${dls.url} } }\n  subscriber: { uri: http://127.0.0.1:${port}/x }`
      )
    );
    // Act
    await sendBinary(tb.broker.url, { id: 'gone-1', type: 'dev.cortex.test' });
    await eventually(() => expect(dls.received).toHaveLength(1));
    // Assess
    expect(dls.received[0]!.headers['ce-knativeerrorcode']).toBe('500');
    expect(dls.received[0]!.headers['ce-knativeerrordest']).toBe(`http://127.0.0.1:${port}/x`);
    expect(decode(dls.received[0]!.headers['ce-knativeerrordata'])).toMatch(/^dispatch error: .*ECONNREFUSED/);
  });

  it('times out a slow attempt (delivery.timeout) and retries it', async () => {
    // Prepare
    const sub = await subscriber((_req, n) => (n === 0 ? { status: 202, delayMs: 5000 } : { status: 202 }));
    const tb = await broker(
      trigger(
        't',
        `  delivery: { retry: 1, timeout: PT0.2S, backoffPolicy: linear, backoffDelay: PT0.01S }\n  subscriber: { uri: ${sub.url} }`
      )
    );
    // Act
    await sendBinary(tb.broker.url, { id: 'slow-1', type: 'dev.cortex.test' });
    await eventually(() => expect(finalOutcomes(tb.outcomes, 'slow-1')).toHaveLength(1));
    // Assess
    expect(finalOutcomes(tb.outcomes, 'slow-1')[0]).toMatchObject({ kind: 'delivered', attempts: 2 });
    expect(tb.outcomes.find((o) => o.kind === 'retry')?.reason).toMatch(/timeout after 200 ms/);
    expect(gaps(sub)[0]).toBeGreaterThanOrEqual(200 - SLACK_MS);
  });

  it('honours Retry-After on 429 up to retryAfterMax', async () => {
    // Prepare
    const sub = await subscriber((_req, n) =>
      n === 0 ? { status: 429, headers: { 'retry-after': '30' } } : { status: 202 }
    );
    const tb = await broker(
      trigger(
        't',
        `  delivery: { retry: 1, backoffPolicy: exponential, backoffDelay: PT0.01S, retryAfterMax: PT0.3S }\n  subscriber: { uri: ${sub.url} }`
      )
    );
    // Act
    await sendBinary(tb.broker.url, { id: 'ra-1', type: 'dev.cortex.test' });
    await eventually(() => expect(finalOutcomes(tb.outcomes, 'ra-1')).toHaveLength(1));
    // Assess
    expect(tb.outcomes.find((o) => o.kind === 'retry')).toMatchObject({ status: 429, delayMs: 300 });
    expect(gaps(sub)[0]).toBeGreaterThanOrEqual(300 - SLACK_MS);
  });

  it('logs "dropped" with the reason when there is no dead-letter sink, or it fails too', async () => {
    // Prepare
    const sub = await subscriber(() => ({ status: 403 }));
    const badDls = await subscriber(() => ({ status: 400 }));
    const tb = await broker(
      trigger('plain', `  delivery: { retry: 2 }\n  subscriber: { uri: ${sub.url}/a }`) +
        trigger('with-dls', `  delivery: { deadLetterSink: { uri: ${badDls.url} } }\n  subscriber: { uri: ${sub.url}/b }`)
    );
    // Act
    await sendBinary(tb.broker.url, { id: 'drop-1', type: 'dev.cortex.test' });
    await eventually(() => expect(finalOutcomes(tb.outcomes, 'drop-1')).toHaveLength(2));
    // Assess
    const dropped = tb.lines.filter((l) => l.msg === 'dropped' && l.id === 'drop-1');
    expect(dropped).toHaveLength(2);
    expect(dropped.every((l) => l.level === 'error')).toBe(true);
    const byTrigger = Object.fromEntries(dropped.map((l) => [l.trigger, l.reason]));
    expect(byTrigger['cortex/plain']).toMatch(
      /1 attempt\(s\) to .*\/a failed, last: subscriber answered 403; no dead-letter sink/
    );
    expect(byTrigger['cortex/with-dls']).toMatch(/dead-letter sink .* failed too: subscriber answered 400/);
    expect(tb.broker.stats()).toMatchObject({ dropped: 2, deadLettered: 0 });
  });
});
