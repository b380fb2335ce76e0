import { describe, expect, it } from 'vitest';
import { deadLetterEvent, deadLetterExtensions, ERROR_DATA_MAX_LENGTH } from '../../../../local/broker/dead-letter.js';

describe('Dead-letter extensions (local/broker/dead-letter)', () => {
  it('reports the failed URL, the status and the body in base64', () => {
    // Prepare
    const failure = {
      url: 'http://sub/x',
      status: 503,
      body: Buffer.from('{"error":"down"}'),
      reason: 'subscriber answered 503'
    };
    // Act
    const ext = deadLetterExtensions(failure);
    // Assess
    expect(ext).toEqual({
      knativeerrordest: 'http://sub/x',
      knativeerrorcode: 503,
      knativeerrordata: Buffer.from('{"error":"down"}').toString('base64')
    });
  });

  it('caps knativeerrordata at 1024 characters of valid base64', () => {
    // Prepare
    const body = Buffer.from('x'.repeat(5000));
    // Act
    const data = deadLetterExtensions({ url: 'http://sub', status: 500, body, reason: 'r' }).knativeerrordata as string;
    // Assess
    expect(data).toHaveLength(ERROR_DATA_MAX_LENGTH);
    expect(Buffer.from(data, 'base64').toString()).toBe('x'.repeat(768));
    expect(data).toBe(body.toString('base64').slice(0, 1024));
  });

  it('leaves knativeerrordata out when the body is empty', () => {
    // Prepare
    const failure = { url: 'http://sub', status: 404, body: Buffer.alloc(0), reason: 'r' };
    // Act
    const ext = deadLetterExtensions(failure);
    // Assess
    expect(ext).toEqual({ knativeerrordest: 'http://sub', knativeerrorcode: 404 });
  });

  it('reports a failure without a response as Knative does: 500 and "dispatch error: <reason>"', () => {
    // Prepare
    const failure = { url: 'http://sub', status: undefined, body: Buffer.alloc(0), reason: 'connect ECONNREFUSED' };
    // Act
    const ext = deadLetterExtensions(failure);
    // Assess
    expect(ext.knativeerrorcode).toBe(500);
    expect(Buffer.from(ext.knativeerrordata as string, 'base64').toString()).toBe('dispatch error: connect ECONNREFUSED');
  });

  it('adds the extensions to the original event, keeping its attributes and data', () => {
    // Prepare
    const original = { specversion: '1.0', id: 'e1', source: '/s', type: 't', correlationid: 'c', data: { a: 1 } };
    // Act
    const dead = deadLetterEvent(original, { url: 'http://sub', status: 400, body: Buffer.from('bad'), reason: 'r' });
    // Assess
    expect(dead).toEqual({ ...original, knativeerrordest: 'http://sub', knativeerrorcode: 400, knativeerrordata: 'YmFk' });
  });
});
