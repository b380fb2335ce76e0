import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokenAttribute, conformanceVectors } from '../../../helpers/conformance.js';
import {
  eventually,
  sendStructured,
  startSubscriber,
  startTestBroker,
  trigger,
  type Subscriber,
  type TestBroker
} from './harness.js';

/*
 * The CloudEvents JSON-format conformance vectors through the broker ingress, structured mode: valid events are
 * accepted (202) and reach a catch-all Trigger; invalid ones get 400 naming the broken attribute; batches get 415;
 * and the broker keeps serving throughout. No vector is skipped (validAllExtensionTypes included).
 */

const valid = conformanceVectors('valid-events');
const invalid = conformanceVectors('invalid-events');
const batches = [...conformanceVectors('valid-batches'), ...conformanceVectors('invalid-batches')];

describe('CloudEvents conformance vectors through the local broker ingress (real HTTP)', () => {
  let sub: Subscriber;
  let tb: TestBroker;

  beforeAll(async () => {
    sub = await startSubscriber();
    tb = await startTestBroker(trigger('catch-all', `  subscriber: { uri: ${sub.url} }`));
  });
  afterAll(async () => {
    await tb.stop();
    await sub.close();
  });

  for (const t of valid) {
    it(`accepts and delivers ${t.id}`, async () => {
      // Prepare
      const event = t.event!;
      const before = sub.received.length;
      // Act
      const res = await sendStructured(tb.broker.url, event);
      await eventually(() => expect(sub.received).toHaveLength(before + 1));
      // Assess
      expect(res.status).toBe(202);
      const got = sub.received[before]!.headers;
      expect(got['ce-id']).toBe(event.id);
      expect(got['ce-type']).toBe(event.type);
      expect(got['ce-source']).toBe(event.source);
      expect(got['ce-specversion']).toBe('1.0');
      if (typeof event.time === 'string') expect(Date.parse(String(got['ce-time']))).toBe(Date.parse(event.time));
      else expect(got['ce-time']).toBeUndefined();
      for (const name of ['subject', 'dataschema']) {
        expect(got[`ce-${name}`]).toBe(typeof event[name] === 'string' ? event[name] : undefined);
      }
    });
  }

  it('keeps data and every extension type of validSimpleTextData and validAllExtensionTypes', () => {
    // Prepare
    const byId = (id: string) => sub.received.find((r) => r.headers['ce-id'] === id)!;
    // Act
    const text = byId('simpleTextData');
    const ext = byId('allExtensionTypes');
    // Assess
    expect(text.headers['content-type']).toBe('text/plain');
    expect(text.body).toBe('Simple text');
    expect(ext.headers).toMatchObject({
      'ce-extinteger': '10',
      'ce-extboolean': 'true',
      'ce-extstring': 'text',
      'ce-exturi': 'https://cloudevents.io',
      'ce-exturiref': '//authority/path',
      'ce-exttimestamp': '2023-03-31T15:12:00Z',
      'ce-extbinary': 'TWE='
    });
  });

  for (const t of invalid) {
    it(`rejects ${t.id} with 400 naming ${brokenAttribute(t.id)}`, async () => {
      // Prepare
      const event = t.event!;
      // Act
      const res = await sendStructured(tb.broker.url, event);
      // Assess
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('invalid_event');
      expect(body.error.message).toContain(brokenAttribute(t.id));
    });
  }

  for (const t of batches) {
    it(`answers ${t.id} (a batch) with 415 and a clear message`, async () => {
      // Prepare
      const body = JSON.stringify(t.batch ?? []);
      // Act
      const res = await fetch(tb.broker.url, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents-batch+json' },
        body
      });
      // Assess
      expect(res.status).toBe(415);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /batched CloudEvents are not accepted/
      );
    });
  }

  it('keeps serving after every vector, and counted each one', async () => {
    // Prepare
    const event = { specversion: '1.0', id: 'still-up', source: '/t', type: 'dev.cortex.test' };
    // Act
    const res = await sendStructured(tb.broker.url, event);
    // Assess
    expect(res.status).toBe(202);
    await eventually(() => expect(sub.received.some((r) => r.headers['ce-id'] === 'still-up')).toBe(true));
    await eventually(() =>
      expect(tb.broker.stats()).toMatchObject({
        accepted: valid.length + 1,
        rejected: invalid.length + batches.length,
        delivered: valid.length + 1
      })
    );
  });
});
