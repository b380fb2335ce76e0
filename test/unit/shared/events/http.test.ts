import { describe, expect, it } from 'vitest';
import { fromHttp, toBinary, toStructured } from '../../../../shared/events/http.js';
import { InvalidEventError, UnsupportedMediaTypeError } from '../../../../shared/runtime/errors.js';
import { brokenAttribute, conformanceVectors } from '../../../helpers/conformance.js';

const structured = { 'content-type': 'application/cloudevents+json' };

describe('CloudEvent parsing (shared/events/http)', () => {
  describe('CloudEvents conformance vectors, structured mode', () => {
    for (const t of conformanceVectors('valid-events')) {
      it(`accepts ${t.id}`, () => {
        // Act
        const ev = fromHttp(structured, JSON.stringify(t.event));
        // Assess
        expect(ev.id).toBe(t.event!.id);
        expect(ev.type).toBe(t.event!.type);
        expect(ev.source).toBe(t.event!.source);
      });
    }
    for (const t of conformanceVectors('invalid-events')) {
      it(`rejects ${t.id}, naming ${brokenAttribute(t.id)}`, () => {
        // Act
        const act = (): unknown => fromHttp(structured, JSON.stringify(t.event));
        // Assess
        expect(act).toThrow(InvalidEventError);
        expect(act).toThrow(brokenAttribute(t.id));
      });
    }
  });

  it('keeps extension values of every type (validAllExtensionTypes)', () => {
    // Prepare
    const t = conformanceVectors('valid-events').find((v) => v.id === 'validAllExtensionTypes')!;
    // Act
    const ev = fromHttp(structured, JSON.stringify(t.event));
    // Assess
    expect(ev.extinteger).toBe(10);
    expect(ev.extboolean).toBe(true);
    expect(ev.exturiref).toBe('//authority/path');
  });

  it('reads binary mode: ce-* headers and a JSON body', () => {
    // Prepare
    const headers = {
      'ce-specversion': '1.0',
      'ce-id': 'b-1',
      'ce-source': '/test',
      'ce-type': 'dev.cortex.chat.delayed',
      'ce-correlationid': 'c-1',
      'Content-Type': 'application/json'
    };
    // Act
    const ev = fromHttp(headers, '{"sessionId":"s"}');
    // Assess
    expect(ev).toMatchObject({ id: 'b-1', correlationid: 'c-1', data: { sessionId: 's' } });
  });

  it('rejects malformed JSON, a non-object body, no CloudEvent at all, and batches', () => {
    expect(() => fromHttp(structured, '{"id":')).toThrow(/malformed JSON/);
    expect(() => fromHttp(structured, '[]')).toThrow(/must be a JSON object/);
    expect(() => fromHttp({ 'content-type': 'application/json' }, '{}')).toThrow(/no CloudEvent detected/);
    expect(() => fromHttp({ 'content-type': 'application/cloudevents-batch+json' }, '[]')).toThrow(
      UnsupportedMediaTypeError
    );
  });

  it('rejects a binary event whose JSON data does not parse', () => {
    const headers = {
      'ce-specversion': '1.0',
      'ce-id': '1',
      'ce-source': '/t',
      'ce-type': 't',
      'content-type': 'application/json'
    };
    expect(() => fromHttp(headers, '{nope')).toThrow(InvalidEventError);
  });

  it('round-trips through binary and structured serialisation', () => {
    // Prepare
    const record = {
      specversion: '1.0',
      id: 'r-1',
      source: '/cortex/x',
      type: 'dev.cortex.chat.delayed',
      time: '2026-11-27T10:00:00.000Z',
      datacontenttype: 'application/json',
      data: { a: [1, { b: 'c' }] },
      healingid: 'h-1'
    };
    // Act
    const viaBinary = toBinary(record);
    const viaStructured = toStructured(record);
    // Assess
    expect(fromHttp(viaBinary.headers, viaBinary.body)).toEqual(record);
    expect(fromHttp(viaStructured.headers, viaStructured.body)).toEqual(record);
  });
});
