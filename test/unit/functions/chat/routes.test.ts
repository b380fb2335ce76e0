import { describe, expect, it } from 'vitest';
import { parseChatRequest } from '../../../../functions/chat/routes.js';
import { PayloadTooLargeError, RequestError, toHttpStatus } from '../../../../shared/runtime/errors.js';

const parse = (body: unknown, header?: string): unknown => {
  try {
    return parseChatRequest(body, header, 16);
  } catch (err) {
    return err;
  }
};

describe('Function: chat input validation', () => {
  it.each([
    ['no body', undefined, 400, 'invalid_request'],
    ['an array', ['hi'], 400, 'invalid_request'],
    ['no message', { sessionId: 's' }, 400, 'invalid_request'],
    ['a numeric message', { message: 7 }, 400, 'invalid_request'],
    ['a numeric session id', { message: 'hi', sessionId: 7 }, 400, 'invalid_request'],
    ['an empty message', { message: '' }, 400, 'empty_message'],
    ['a blank message', { message: '  \n ' }, 400, 'empty_message'],
    ['17 bytes of message', { message: 'x'.repeat(17) }, 413, 'payload_too_large'],
    ['9 two-byte characters', { message: 'é'.repeat(9) }, 413, 'payload_too_large']
  ])('refuses %s', (_what, body, status, code) => {
    // Prepare
    const input: unknown = body;
    // Act
    const err = parse(input);
    // Assess
    expect(err).toBeInstanceOf(status === 413 ? PayloadTooLargeError : RequestError);
    expect(toHttpStatus(err)).toBe(status);
    expect((err as RequestError).code).toBe(code);
  });

  it('accepts a message at the limit, with the token from the body over the header', () => {
    // Prepare
    const body = { message: 'x'.repeat(16), sessionId: 'session-1234', token: 'body-token' };
    // Act
    const req = parse(body, 'header-token');
    // Assess
    expect(req).toEqual({ message: 'x'.repeat(16), sessionId: 'session-1234', token: 'body-token' });
  });

  it('takes the token from the header when the body has none', () => {
    // Prepare
    const body = { message: 'hello', sessionId: 'session-1234' };
    // Act
    const req = parse(body, 'header-token');
    // Assess
    expect(req).toEqual({ message: 'hello', sessionId: 'session-1234', token: 'header-token' });
  });
});
