import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  sendBinary,
  sendStructured,
  startSubscriber,
  startTestBroker,
  trigger,
  type Received,
  type Subscriber,
  type TestBroker
} from './harness.js';

describe('Local broker ingress (real HTTP)', () => {
  let sub: Subscriber;
  let tb: TestBroker;
  let base: string;

  beforeAll(async () => {
    sub = await startSubscriber();
    const yaml = [
      trigger(
        'binary',
        `  filter: { attributes: { type: dev.cortex.test.binary } }\n  subscriber: { uri: ${sub.url}/binary }`
      ),
      trigger(
        'structured',
        `  filter: { attributes: { type: dev.cortex.test.structured } }\n  delivery: { format: json }\n  subscriber: { uri: ${sub.url}/structured }`
      )
    ].join('');
    tb = await startTestBroker(yaml);
    base = new URL(tb.broker.url).origin;
  });
  afterAll(async () => {
    await tb.stop();
    await sub.close();
  });

  const deliveredTo = (path: string, id: string): Received | undefined =>
    sub.received.find((r) => r.url === path && r.headers['ce-id'] === id);

  it('accepts a binary-mode event with 202 and delivers it in binary mode, TTL stripped, arrival time added', async () => {
    // Prepare
    const event = { id: 'bin-1', type: 'dev.cortex.test.binary', extensions: { correlationid: 'corr-1' }, data: { n: 1 } };
    // Act
    const res = await sendBinary(tb.broker.url, event);
    // Assess
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    await eventually(() => expect(deliveredTo('/binary', 'bin-1')).toBeDefined());
    const got = deliveredTo('/binary', 'bin-1')!;
    expect(got.headers).toMatchObject({
      'ce-id': 'bin-1',
      'ce-type': 'dev.cortex.test.binary',
      'ce-source': '/test',
      'ce-specversion': '1.0',
      'ce-correlationid': 'corr-1',
      'content-type': 'application/json',
      prefer: 'reply'
    });
    expect(got.headers['ce-knativebrokerttl']).toBeUndefined();
    expect(got.headers['ce-time']).toBeUndefined();
    expect(Date.parse(String(got.headers['ce-knativearrivaltime']))).not.toBeNaN();
    expect(JSON.parse(got.body)).toEqual({ n: 1 });
  });

  it('forwards a binary-mode body byte for byte (spacing, key order, escapes), not re-serialised', async () => {
    // Prepare
    const body = '{ "b" : 2,\n  "a": "caf\\u00e9" }';
    // Act
    const res = await fetch(tb.broker.url, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'bin-raw',
        'ce-type': 'dev.cortex.test.binary',
        'ce-source': '/test',
        'content-type': 'application/json'
      },
      body
    });
    // Assess
    expect(res.status).toBe(202);
    await eventually(() => expect(deliveredTo('/binary', 'bin-raw')).toBeDefined());
    expect(deliveredTo('/binary', 'bin-raw')!.body).toBe(body);
  });

  it('accepts a structured-mode event and delivers it structured when the Trigger says format: json', async () => {
    // Prepare
    const event = {
      specversion: '1.0',
      id: 'str-1',
      type: 'dev.cortex.test.structured',
      source: '/test',
      time: '2026-01-02T03:04:05Z',
      datacontenttype: 'application/json',
      data: { n: 2 }
    };
    // Act
    const res = await sendStructured(tb.broker.url, event);
    // Assess
    expect(res.status).toBe(202);
    await eventually(() => expect(sub.received.find((r) => r.url === '/structured')).toBeDefined());
    const got = sub.received.find((r) => r.url === '/structured')!;
    expect(got.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    const body = JSON.parse(got.body) as Record<string, unknown>;
    expect(body).toMatchObject({ id: 'str-1', type: 'dev.cortex.test.structured', data: { n: 2 } });
    expect(body.knativebrokerttl).toBeUndefined();
    expect(typeof body.knativearrivaltime).toBe('string');
  });

  it('rejects an invalid event with 400 naming the attribute, and counts it', async () => {
    // Prepare
    const before = tb.broker.stats().rejected;
    // Act
    const res = await fetch(tb.broker.url, {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-source': '/test', 'content-type': 'application/json' },
      body: '{}'
    });
    // Assess
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_event');
    expect(body.error.message).toMatch(/type: required attribute is missing/);
    expect(tb.broker.stats().rejected).toBe(before + 1);
  });

  it('accepts a CloudEvents 0.3 event, as Knative brokers do, and passes it on unchanged', async () => {
    // Prepare
    const headers = {
      'ce-specversion': '0.3',
      'ce-id': 'v03-1',
      'ce-source': '/test',
      'ce-type': 'dev.cortex.test.binary',
      'ce-schemaurl': 'https://example.com/schema',
      'content-type': 'application/json'
    };
    // Act
    const res = await fetch(tb.broker.url, { method: 'POST', headers, body: '{"n":3}' });
    // Assess
    expect(res.status).toBe(202);
    await eventually(() => expect(deliveredTo('/binary', 'v03-1')).toBeDefined());
    expect(deliveredTo('/binary', 'v03-1')!.headers).toMatchObject({
      'ce-specversion': '0.3',
      'ce-schemaurl': 'https://example.com/schema'
    });
  });

  it.each([
    ['id', { 'ce-id': 'a%0Ab' }],
    ['type', { 'ce-type': 'dev.cortex.test.binary%1B' }],
    ['source', { 'ce-source': '/test%C2%85' }]
  ])('rejects a control character in %s with 400 naming the attribute', async (attribute, header) => {
    // Act
    const res = await fetch(tb.broker.url, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'ok',
        'ce-source': '/test',
        'ce-type': 'dev.cortex.test.binary',
        'content-type': 'application/json',
        ...header
      },
      body: '{}'
    });
    // Assess
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      new RegExp(`${attribute}: contains U\\+00`)
    );
  });

  it('answers 415 with a clear message to a batch', async () => {
    // Prepare
    const batch = JSON.stringify([{ specversion: '1.0', id: 'b1', source: '/test', type: 'dev.cortex.test.binary' }]);
    // Act
    const res = await fetch(tb.broker.url, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: batch
    });
    // Assess
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/batch.*one event per request/);
  });

  it('answers 413 with a JSON error to a 2 MiB body, and keeps serving', async () => {
    // Prepare
    const big = JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) });
    // Act
    const res = await sendBinary(tb.broker.url, { id: 'big', type: 'dev.cortex.test.binary', data: JSON.parse(big) });
    const after = await sendBinary(tb.broker.url, { id: 'after-big', type: 'dev.cortex.test.unrouted' });
    // Assess
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string; limitBytes: number } }).error).toMatchObject({
      code: 'payload_too_large',
      limitBytes: 256 * 1024
    });
    expect(after.status).toBe(202);
  });

  it('answers 404 with JSON for an unknown broker or a path that is not /<namespace>/<broker>', async () => {
    // Prepare
    const event = { id: 'u', type: 'dev.cortex.test.binary' };
    // Act
    const unknown = await sendBinary(`${base}/cortex/nope`, event);
    const shape = await sendBinary(`${base}/just-one-segment`, event);
    // Assess
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(
      /no broker cortex\/nope.*cortex\/default/
    );
    expect(shape.status).toBe(404);
    expect(((await shape.json()) as { error: { message: string } }).error.message).toMatch(/\/<namespace>\/<broker>/);
  });

  it('answers 405 with Allow to other methods, 200 with Allow to OPTIONS, 200 to GET /healthz', async () => {
    // Prepare
    const healthz = `${base}/healthz`;
    // Act
    const get = await fetch(tb.broker.url);
    const put = await fetch(tb.broker.url, { method: 'PUT', body: 'x' });
    const options = await fetch(tb.broker.url, { method: 'OPTIONS' });
    const health = await fetch(healthz);
    // Assess
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
    expect(((await get.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
    expect(put.status).toBe(405);
    expect(options.status).toBe(200);
    expect(options.headers.get('allow')).toBe('POST, OPTIONS');
    expect(health.status).toBe(200);
  });

  it('decrements an incoming TTL and rejects an exhausted one with 400, logged and counted', async () => {
    // Prepare
    const before = tb.broker.stats().ttlExpired;
    // Act
    const ok = await sendBinary(tb.broker.url, {
      id: 'ttl-ok',
      type: 'dev.cortex.test.binary',
      extensions: { knativebrokerttl: '2' }
    });
    const spent = await sendBinary(tb.broker.url, {
      id: 'ttl-0',
      type: 'dev.cortex.test.binary',
      extensions: { knativebrokerttl: '1' }
    });
    // Assess
    expect(ok.status).toBe(202);
    expect(tb.outcomes.find((o) => o.id === 'ttl-ok' && o.kind === 'accepted')?.ttl).toBe(1);
    expect(spent.status).toBe(400);
    expect(((await spent.json()) as { error: { message: string } }).error.message).toMatch(/knativebrokerttl exhausted/);
    expect(tb.broker.stats().ttlExpired).toBe(before + 1);
    expect(tb.lines.some((l) => l.msg === 'ttl-expired' && l.id === 'ttl-0' && l.level === 'warn')).toBe(true);
  });

  it('accepts an event no Trigger matches (202) and counts it as unrouted', async () => {
    // Prepare
    const before = tb.broker.stats().unrouted;
    // Act
    const res = await sendBinary(tb.broker.url, { id: 'nobody', type: 'dev.cortex.test.nobody' });
    // Assess
    expect(res.status).toBe(202);
    expect(tb.broker.stats().unrouted).toBe(before + 1);
    expect(tb.outcomes.filter((o) => o.id === 'nobody').map((o) => o.kind)).toEqual(['accepted', 'unrouted']);
  });
});
