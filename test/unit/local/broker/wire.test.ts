import { describe, expect, it } from 'vitest';
import { encodeBinary, encodeStructured } from '../../../../local/broker/wire.js';

const base = { specversion: '1.0', id: 'e1', source: '/s', type: 'dev.cortex.x' };

describe('Wire encoding (local/broker/wire)', () => {
  it('binary: every attribute in a ce- header, JSON data as the body, no time added', () => {
    // Prepare
    const record = { ...base, datacontenttype: 'application/json', extinteger: 10, extboolean: true, data: { a: 1 } };
    // Act
    const msg = encodeBinary(record);
    // Assess
    expect(msg.headers).toEqual({
      'ce-specversion': '1.0',
      'ce-id': 'e1',
      'ce-source': '/s',
      'ce-type': 'dev.cortex.x',
      'ce-extinteger': '10',
      'ce-extboolean': 'true',
      'content-type': 'application/json'
    });
    expect(msg.body).toBe('{"a":1}');
  });

  it('binary: keeps text and bytes as they are, and a time string untouched', () => {
    // Prepare
    const time = '2018-04-05T18:31:00.123456789+01:00';
    // Act
    const text = encodeBinary({ ...base, time, datacontenttype: 'text/plain', data: 'Simple text' });
    const bytes = encodeBinary({ ...base, datacontenttype: 'application/octet-stream', data: Buffer.from([0, 1, 2]) });
    const none = encodeBinary(base);
    // Assess
    expect(text.body).toBe('Simple text');
    expect(text.headers['ce-time']).toBe(time);
    expect(bytes.body).toEqual(Buffer.from([0, 1, 2]));
    expect(none.body).toBe('');
    expect(none.headers['content-type']).toBeUndefined();
  });

  it('binary: the body an event arrived with goes out as it is, with its content type', () => {
    // Prepare
    const arrived = Buffer.from('{ "a" : 1 }');
    const record = { ...base, datacontenttype: 'application/json', data: { a: 1 } };
    // Act
    const msg = encodeBinary(record, arrived);
    // Assess
    expect(msg.body).toBe(arrived);
    expect(msg.headers['content-type']).toBe('application/json');
    expect(msg.headers['ce-id']).toBe('e1');
  });

  it('falls back to structured mode when an attribute cannot travel in a header', () => {
    // Prepare
    const record = { ...base, subject: 'café', data: { a: 1 } };
    // Act
    const msg = encodeBinary(record);
    // Assess
    expect(msg.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(JSON.parse(msg.body as string)).toEqual({ ...base, subject: 'café', data: { a: 1 } });
  });

  it('structured: the whole event as JSON, bytes as data_base64', () => {
    // Prepare
    const withJson = { ...base, data: { a: 1 } };
    const withBytes = { ...base, datacontenttype: 'application/octet-stream', data: Buffer.from('Ma') };
    // Act
    const json = encodeStructured(withJson);
    const bytes = encodeStructured(withBytes);
    // Assess
    expect(JSON.parse(json.body as string)).toEqual({ ...base, data: { a: 1 } });
    expect(JSON.parse(bytes.body as string)).toEqual({
      ...base,
      datacontenttype: 'application/octet-stream',
      data_base64: 'TWE='
    });
  });
});
