import { gzipSync } from 'node:zlib';
import { HTTP } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import errorIntake from '../../../../functions/error-intake/index.js';
import { run, type RunningFunction } from '../../../../shared/runtime/run.js';
import { startFakeSink, type FakeSink } from '../../../fakes/sink.js';
import { errorReported, postEvent } from '../../../helpers/events.js';
import { brokenAttribute, conformanceVectors } from '../../../helpers/conformance.js';

describe('Runtime: a function over real HTTP (error-intake)', () => {
  let sink: FakeSink;
  let fn: RunningFunction;

  beforeAll(async () => {
    sink = await startFakeSink();
    fn = await run(errorIntake, {
      overrides: { PORT: '0', HOST: '127.0.0.1', K_SINK: sink.url, CORTEX_LOG_LEVEL: 'silent' }
    });
  });
  afterAll(async () => {
    await fn.stop();
    await sink.close();
  });

  it('handles a binary-mode event: 202, empty body, one healing.requested with a deterministic envelope', async () => {
    // Prepare
    const before = sink.events.length;
    const event = errorReported({}, 'bin-1');
    // Act
    const res = await postEvent(fn.url, event, 'binary');
    // Assess
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    const [out] = sink.events.slice(before);
    expect(out).toMatchObject({
      type: 'dev.cortex.healing.requested',
      source: '/cortex/error-intake',
      causationid: 'bin-1',
      correlationid: 'bin-1',
      sessionid: 's-1',
      data: { target: { namespace: 'demo', service: 'mcp-demo' }, reportIds: ['bin-1'], sessionIds: ['s-1'] }
    });
  });

  it('handles a structured-mode event the same way', async () => {
    // Prepare
    const before = sink.events.length;
    // Act
    const res = await postEvent(fn.url, errorReported({}, 'str-1'), 'structured');
    // Assess
    expect(res.status).toBe(202);
    expect(sink.events.slice(before).map((e) => e.type)).toEqual(['dev.cortex.healing.requested']);
  });

  it('does not handle a redelivered event twice', async () => {
    // Prepare
    const before = sink.events.length;
    const event = errorReported({}, 'dup-1');
    // Act
    const first = await postEvent(fn.url, event);
    const second = await postEvent(fn.url, event, 'structured');
    // Assess
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(sink.events.length - before).toBe(1);
  });

  it.each([
    ['malformed JSON', { 'content-type': 'application/cloudevents+json' }, '{"specversion":', 400, /malformed JSON/],
    [
      'missing specversion',
      { 'content-type': 'application/cloudevents+json' },
      JSON.stringify({ id: '1', source: '/x', type: 'dev.cortex.error.reported' }),
      400,
      /specversion/
    ],
    ['no CloudEvent', { 'content-type': 'application/json' }, '{}', 400, /no CloudEvent detected/],
    ['a batch', { 'content-type': 'application/cloudevents-batch+json' }, '[]', 415, /batched/],
    [
      'unknown type',
      { 'content-type': 'application/cloudevents+json' },
      JSON.stringify({ specversion: '1.0', id: '1', source: '/x', type: 'com.example.nope' }),
      400,
      /unknown event type "com.example.nope"/
    ],
    [
      'a type this function does not take',
      { 'content-type': 'application/cloudevents+json' },
      JSON.stringify({
        specversion: '1.0',
        id: '1',
        source: '/x',
        type: 'dev.cortex.chat.delayed',
        data: { sessionId: 's', reason: 'r', attempt: 1, retryInMs: 1 }
      }),
      400,
      /does not handle/
    ],
    [
      'schema-invalid data',
      { 'content-type': 'application/cloudevents+json' },
      JSON.stringify({
        specversion: '1.0',
        id: '1',
        source: '/x',
        type: 'dev.cortex.error.reported',
        data: { component: 'chat', category: 'nope' }
      }),
      400,
      /category/
    ]
  ])('answers %s with %i and a JSON error', async (_name, headers, body, status, message) => {
    // Act
    const res = await fetch(fn.url, { method: 'POST', headers, body });
    // Assess
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: { message: string } };
    expect(json.error.message).toMatch(message);
  });

  it.each(['gzip', 'br', 'deflate'])('answers a body that is not valid %s with 400, not 500', async (encoding) => {
    // Prepare
    const body = JSON.stringify(errorReported().toJSON());
    // Act
    const res = await fetch(fn.url, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json', 'content-encoding': encoding },
      body
    });
    // Assess
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('malformed_encoding');
  });

  it('handles a body that is valid gzip', async () => {
    // Prepare
    const before = sink.events.length;
    const body = gzipSync(JSON.stringify(errorReported({}, 'gz-1').toJSON()));
    // Act
    const res = await fetch(fn.url, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json', 'content-encoding': 'gzip' },
      body
    });
    // Assess
    expect(res.status).toBe(202);
    expect(sink.events.length - before).toBe(1);
  });

  it.each([
    ['id', { 'ce-id': 'a%0Ab' }],
    ['type', { 'ce-type': 'dev.cortex.error.reported%07' }],
    ['source', { 'ce-source': '/cortex/chat%7F' }],
    ['correlationid', { 'ce-correlationid': 'c%0D' }]
  ])('answers a control character in %s (binary mode) with 400 naming the attribute', async (attribute, header) => {
    // Prepare
    const m = HTTP.binary(errorReported());
    // Act
    const res = await fetch(fn.url, {
      method: 'POST',
      headers: { ...(m.headers as Record<string, string>), ...header },
      body: m.body as string
    });
    // Assess
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      new RegExp(`${attribute}: contains U\\+00`)
    );
  });

  it('answers a noncharacter in subject (structured mode) with 400 naming the attribute', async () => {
    // Prepare
    const body = JSON.stringify({ ...errorReported().toJSON(), subject: 'x\uFFFE' });
    // Act
    const res = await fetch(fn.url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body });
    // Assess
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/subject: contains U\+FFFE/);
  });

  it('takes a CloudEvents 0.3 event as the same event in 1.0 (schemaurl → dataschema, base64 data decoded)', async () => {
    // Prepare
    const before = sink.events.length;
    const { data, ...attrs } = errorReported({}, 'v03-1').toJSON() as Record<string, unknown>;
    const body = JSON.stringify({
      ...attrs,
      specversion: '0.3',
      schemaurl: 'https://cortex.dev/schemas/error.reported',
      datacontentencoding: 'base64',
      data: Buffer.from(JSON.stringify(data)).toString('base64')
    });
    // Act
    const res = await fetch(fn.url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body });
    // Assess
    expect(res.status).toBe(202);
    expect(sink.events.slice(before)).toMatchObject([{ causationid: 'v03-1', data: { reportIds: ['v03-1'] } }]);
  });

  it('answers a 2 MiB body with 413 and a JSON error', async () => {
    // Prepare
    const body = JSON.stringify({ ...errorReported().toJSON(), data: { pad: 'x'.repeat(2 * 1024 * 1024) } });
    // Act
    const res = await fetch(fn.url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body });
    // Assess
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  it('answers 503 (retried by Knative) when the sink is down, and handles the redelivery once it is back', async () => {
    // Prepare
    const before = sink.events.length;
    sink.answer(500);
    const event = errorReported({}, 'retry-1');
    // Act
    const failed = await postEvent(fn.url, event);
    sink.answer(202);
    const retried = await postEvent(fn.url, event);
    // Assess
    expect(failed.status).toBe(503);
    expect(retried.status).toBe(202);
    expect(sink.events.length - before).toBe(1);
  });

  it('records an llm_* report without asking for a healing', async () => {
    // Prepare
    const before = sink.events.length;
    // Act
    const res = await postEvent(fn.url, errorReported({ category: 'llm_overloaded', target: undefined }, 'llm-1'));
    // Assess
    expect(res.status).toBe(202);
    expect(sink.events.length).toBe(before);
  });

  it('serves liveness and readiness probes', async () => {
    // Act
    const live = await fetch(`${fn.url}/health/liveness`);
    const ready = await fetch(`${fn.url}/health/readiness`);
    // Assess
    expect([live.status, ready.status]).toEqual([200, 200]);
  });

  describe('CloudEvents conformance vectors through a function', () => {
    for (const t of conformanceVectors('invalid-events')) {
      it(`rejects ${t.id} with 400 naming ${brokenAttribute(t.id)}`, async () => {
        // Act
        const res = await fetch(fn.url, {
          method: 'POST',
          headers: { 'content-type': 'application/cloudevents+json' },
          body: JSON.stringify(t.event)
        });
        // Assess
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: { message: string } }).error.message).toContain(brokenAttribute(t.id));
      });
    }
    for (const t of conformanceVectors('valid-events')) {
      it(`accepts ${t.id} as a CloudEvent, then rejects its foreign type with 400 "unknown event type"`, async () => {
        // Act
        const res = await fetch(fn.url, {
          method: 'POST',
          headers: { 'content-type': 'application/cloudevents+json' },
          body: JSON.stringify(t.event)
        });
        // Assess: the envelope passed strict validation; only the type is not ours
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
          /unknown event type "io.cloudevents.test"/
        );
      });
    }
  });
});
