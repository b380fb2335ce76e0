import { describe, expect, it } from 'vitest';
import { fromHttp, toBinary, toStructured, toV1 } from '../../../../shared/events/http.js';
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

  describe('strings (CloudEvents type system: no control characters, surrogates or noncharacters)', () => {
    const base = { specversion: '1.0', id: 'ok', source: '/x', type: 't' };
    it.each([
      ['id', 'a\u0000b', '0000'],
      ['type', 'dev.cortex\u001f', '001F'],
      ['source', '/x\u0085', '0085'],
      ['subject', 'x\ud800', 'D800'],
      ['dataschema', 'https://x/\ufdd0', 'FDD0'],
      ['correlationid', 'c\n', '000A']
    ])('rejects %s holding %j, naming it and the code point', (name, value, code) => {
      // Act
      const act = (): unknown => fromHttp(structured, JSON.stringify({ ...base, [name]: value }));
      // Assess
      expect(act).toThrow(new RegExp(`${name}: contains U\\+${code}`));
    });

    it('accepts characters outside the forbidden ranges (é, 😀, CJK)', () => {
      // Act
      const ev = fromHttp(structured, JSON.stringify({ ...base, subject: 'é😀漢' }));
      // Assess
      expect(ev.subject).toBe('é😀漢');
    });
  });

  describe('CloudEvents 0.3', () => {
    const v03 = { specversion: '0.3', id: 'ok', source: '/x', type: 't' };
    it('reads a 0.3 event as it arrived, 0.3 attributes included', () => {
      // Act
      const ev = fromHttp(structured, JSON.stringify({ ...v03, schemaurl: 'https://s', data: { a: 1 } }));
      // Assess
      expect(ev).toMatchObject({ specversion: '0.3', schemaurl: 'https://s', data: { a: 1 } });
    });

    it('rejects a datacontentencoding other than base64 and an empty schemaurl', () => {
      // Act
      const act = (extra: object) => (): unknown => fromHttp(structured, JSON.stringify({ ...v03, ...extra }));
      // Assess
      expect(act({ datacontentencoding: 'gzip' })).toThrow(/datacontentencoding: "gzip" is not base64/);
      expect(act({ schemaurl: '' })).toThrow(/schemaurl: must not be empty/);
    });

    it('turns a 0.3 record into 1.0: schemaurl → dataschema, base64 data decoded; 1.0 unchanged', () => {
      // Prepare
      const record = fromHttp(
        structured,
        JSON.stringify({ ...v03, schemaurl: 'https://s', datacontentencoding: 'base64', data: btoa('{"a":1}') })
      );
      // Act
      const v1 = toV1(record);
      // Assess
      expect(v1).toEqual({ specversion: '1.0', id: 'ok', source: '/x', type: 't', dataschema: 'https://s', data: { a: 1 } });
      const already = { specversion: '1.0', id: 'x', source: '/x', type: 't' };
      expect(toV1(already)).toBe(already);
    });
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
