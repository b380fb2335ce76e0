import {
  AnthropicError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError
} from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { classifyLlmError, llmUserMessage, StreamIdleError } from '../../../../functions/chat/llm-failures.js';

/** A real SDK error as the SDK builds it from an HTTP response. */
const httpError = (status: number, type: string, headers: Record<string, string> = {}): APIError =>
  APIError.generate(status, { type: 'error', error: { type, message: type } }, undefined, new Headers(headers));
const refused = new APIConnectionError({
  cause: Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } })
});
/** What the SDK throws for an `event: error` frame in a started stream (core/streaming.ts): no status. */
const midStream = new APIError(
  undefined,
  { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
  undefined,
  new Headers(),
  'overloaded_error'
);

describe('Function: chat classifies Claude API failures (real SDK error objects)', () => {
  it.each([
    ['429 rate_limit_error', httpError(429, 'rate_limit_error'), 'llm_rate_limited', true, 429],
    ['529 overloaded_error', httpError(529, 'overloaded_error'), 'llm_overloaded', true, 529],
    ['500 api_error', httpError(500, 'api_error'), 'llm_server_error', true, 500],
    ['503', httpError(503, 'api_error'), 'llm_server_error', true, 503],
    ['504 timeout_error', httpError(504, 'timeout_error'), 'llm_timeout', true, 504],
    ['408', httpError(408, 'timeout_error'), 'llm_timeout', true, 408],
    ['409', httpError(409, 'conflict_error'), 'llm_server_error', true, 409],
    [
      '429 with x-should-retry false',
      httpError(429, 'rate_limit_error', { 'x-should-retry': 'false' }),
      'llm_rate_limited',
      false,
      429
    ],
    [
      '400 with x-should-retry true',
      httpError(400, 'invalid_request_error', { 'x-should-retry': 'true' }),
      undefined,
      true,
      400
    ],
    ['400 invalid_request_error', httpError(400, 'invalid_request_error'), undefined, false, 400],
    ['401 authentication_error', httpError(401, 'authentication_error'), undefined, false, 401],
    ['a connection error', refused, 'llm_network', true, undefined],
    ['a header timeout', new APIConnectionTimeoutError(), 'llm_timeout', true, undefined],
    // Retryable as a 529 would be; the chat retries it only while no token reached the user.
    ['an error frame mid-stream', midStream, 'llm_overloaded', true, undefined],
    [
      'a socket cut mid-stream',
      new AnthropicError('terminated', { cause: new TypeError('terminated') }),
      'llm_network',
      false,
      undefined
    ],
    ['our idle timeout', new StreamIdleError(500), 'llm_timeout', false, undefined],
    ['something else', new Error('boom'), undefined, false, undefined]
  ])('%s', (_what, err, category, retryable, httpStatus) => {
    // Prepare
    const error: unknown = err;
    // Act
    const failure = classifyLlmError(error);
    // Assess
    expect(failure.category).toBe(category);
    expect(failure.retryable).toBe(retryable);
    expect(failure.httpStatus).toBe(httpStatus);
  });

  it('keeps the headers of an HTTP failure for retry-after', () => {
    // Prepare
    const err = httpError(429, 'rate_limit_error', { 'retry-after': '2' });
    // Act
    const failure = classifyLlmError(err);
    // Assess
    expect(failure.headers?.get('retry-after')).toBe('2');
    expect(failure.detail).toBe('HTTP 429 rate_limit_error');
  });

  it('marks a user abort as aborted, with nothing to report', () => {
    // Prepare
    const err = new APIUserAbortError();
    // Act
    const failure = classifyLlmError(err);
    // Assess
    expect(failure).toMatchObject({ aborted: true, category: undefined, retryable: false });
  });

  it('tells the user plainly what happened', () => {
    // Prepare
    const overloaded = classifyLlmError(httpError(529, 'overloaded_error'));
    const limited = classifyLlmError(httpError(429, 'rate_limit_error'));
    // Act
    const afterRetries = llmUserMessage(overloaded, 3);
    const capped = llmUserMessage(limited, 1, 3_600_000);
    // Assess
    expect(afterRetries).toBe(
      'Claude is overloaded right now after 3 attempts (HTTP 529 overloaded_error). Please try again shortly.'
    );
    expect(capped).toContain('asked us to wait 60 min before trying again');
  });
});
