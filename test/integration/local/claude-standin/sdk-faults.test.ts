import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  OverloadedError
} from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startClaudeStandin, type ClaudeStandin } from '../../../../local/claude-standin/index.js';
import { createLogger } from '../../../../shared/runtime/logging.js';

const params = { model: 'claude-sonnet-5', max_tokens: 256, messages: [{ role: 'user' as const, content: 'Hello there' }] };
const retryCounts = (standin: ClaudeStandin): string[] =>
  standin.requests().map((r) => r.headers['x-stainless-retry-count']!);

describe('Claude API stand-in fault injection, seen by the real SDK (local/claude-standin)', () => {
  let standin: ClaudeStandin;
  let stopped = false;

  beforeEach(async () => {
    standin = await startClaudeStandin({ log: createLogger({ name: 'claude-standin', level: 'silent' }), pacingMs: 0 });
    stopped = false;
  });

  afterEach(async () => {
    if (!stopped) await standin.stop();
  });

  it('429 with retry-after 1, then success: the SDK retries once and succeeds', async () => {
    // Prepare
    standin.faults.push({ kind: 'rate_limit', retryAfterS: 1 });
    const client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 2 });
    // Act
    const message = await client.messages.stream(params).finalMessage();
    // Assess
    expect(message.stop_reason).toBe('end_turn');
    expect(retryCounts(standin)).toEqual(['0', '1']);
    expect(standin.requests().map((r) => [r.fault, r.status])).toEqual([
      ['rate_limit', 429],
      [undefined, 200]
    ]);
  });

  it('a 429 the client does not retry is a well-formed RateLimitError with retry-after headers', async () => {
    // Prepare
    standin.faults.push({ kind: 'rate_limit', retryAfterMs: 1500 });
    const client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 0 });
    // Act
    const err = await client.messages.create(params).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimit = err as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.type).toBe('rate_limit_error');
    expect(rateLimit.headers.get('retry-after')).toBe('2');
    expect(rateLimit.headers.get('retry-after-ms')).toBe('1500');
    expect(rateLimit.requestID).toBe(standin.requests()[0]!.requestId);
  });

  it('three 529s with maxRetries 2: OverloadedError after 3 attempts', async () => {
    // Prepare
    standin.faults.push({ kind: 'overloaded' }, { kind: 'overloaded' }, { kind: 'overloaded' });
    const client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 2 });
    // Act
    const err = await client.messages
      .stream(params)
      .finalMessage()
      .catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(OverloadedError);
    const overloaded = err as OverloadedError;
    expect(overloaded.status).toBe(529);
    expect(overloaded.type).toBe('overloaded_error');
    expect(overloaded.apiMessage).toBe('Overloaded');
    expect(overloaded.requestID).toBe(standin.requests()[2]!.requestId);
    expect(retryCounts(standin)).toEqual(['0', '1', '2']);
  });

  it('reset on every attempt: APIConnectionError after the retries', async () => {
    // Prepare
    standin.faults.push({ kind: 'reset' }, { kind: 'reset' });
    const client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 1 });
    // Act
    const err = await client.messages.create(params).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(APIConnectionError);
    expect((err as Error).message).toBe('Connection error.');
    expect(retryCounts(standin)).toEqual(['0', '1']);
    expect(standin.requests().map((r) => r.status)).toEqual([undefined, undefined]);
  });

  it('one reset, then a good answer: the SDK retries and succeeds', async () => {
    // Prepare
    standin.faults.push({ kind: 'reset' });
    const client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 2 });
    // Act
    const message = await client.messages.stream(params).finalMessage();
    // Assess
    expect(message.stop_reason).toBe('end_turn');
    expect(retryCounts(standin)).toEqual(['0', '1']);
  });

  it('a stream that stalls after its first events: the client aborts and the server sees it go', async () => {
    // Prepare
    standin.faults.push({ kind: 'stall', afterEvents: 3 });
    const client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 0 });
    const seen: string[] = [];
    const abort = new AbortController();
    const stream = client.messages.stream(params, { signal: abort.signal });
    stream.on('streamEvent', (event) => {
      seen.push(event.type);
      // Give the stream time to (wrongly) go on before the client gives up.
      if (event.type === 'content_block_start') setTimeout(() => abort.abort(), 200);
    });
    // Act
    const err = await stream.finalMessage().catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect(seen).toEqual(['message_start', 'content_block_start']);
    await vi.waitFor(() => expect(standin.requests()[0]!.clientClosed).toBe(true));
    await standin.stop();
    stopped = true;
  });

  it('headers held back past the client timeout: APIConnectionTimeoutError, and the server drops the request', async () => {
    // Prepare
    standin.faults.push({ kind: 'delay_headers', ms: 5_000 });
    const client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 0, timeout: 200 });
    // Act
    const err = await client.messages.create(params).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(APIConnectionTimeoutError);
    await vi.waitFor(() => expect(standin.requests()[0]!.clientClosed).toBe(true));
    expect(standin.requests()[0]!.status).toBeUndefined();
  });

  it('stop() ends a stalled stream instead of leaking its socket', async () => {
    // Prepare
    standin.faults.push({ kind: 'stall', afterEvents: 1 });
    const client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 0 });
    const stream = client.messages.stream(params);
    const connected = new Promise((resolve) => stream.on('streamEvent', resolve));
    const outcome = stream.finalMessage().catch((e: unknown) => e);
    await connected;
    // Act
    await standin.stop();
    stopped = true;
    // Assess
    const err = await outcome;
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/terminated|ended without/);
    expect(standin.requests()[0]!.clientClosed).toBeUndefined();
  });

  it('event: error mid-stream: APIError of type overloaded_error after the first tokens, not retried', async () => {
    // Prepare
    standin.faults.push({ kind: 'stream_error' });
    const client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 2 });
    const text: string[] = [];
    const stream = client.messages.stream(params);
    stream.on('text', (delta) => text.push(delta));
    // Act
    const err = await stream.finalMessage().catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(APIError);
    expect(err).not.toBeInstanceOf(OverloadedError);
    expect((err as APIError).type).toBe('overloaded_error');
    expect((err as APIError).status).toBeUndefined();
    expect((err as APIError).requestID).toBe(standin.requests()[0]!.requestId);
    expect(text).toHaveLength(1);
    expect(standin.requests()).toHaveLength(1);
  });

  it('a [fault:overloaded] marker in the message fails the first attempt only', async () => {
    // Prepare
    const client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 2 });
    // Act
    const message = await client.messages
      .stream({ ...params, messages: [{ role: 'user', content: 'Are the pods ready? [fault:overloaded]' }] })
      .finalMessage();
    // Assess
    expect(message.stop_reason).toBe('end_turn');
    expect((message.content[0] as { text: string }).text).toContain('You asked: "Are the pods ready?"');
    expect(standin.requests().map((r) => [r.fault, r.status])).toEqual([
      ['overloaded', 529],
      [undefined, 200]
    ]);
  });

  it('a [fault:server_error attempts=all] marker fails every attempt with InternalServerError', async () => {
    // Prepare
    const client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 1 });
    // Act
    const err = await client.messages
      .create({ ...params, messages: [{ role: 'user', content: 'hi [fault:server_error attempts=all]' }] })
      .catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(Anthropic.InternalServerError);
    expect((err as APIError).status).toBe(500);
    expect((err as APIError).type).toBe('api_error');
    expect(standin.requests()).toHaveLength(2);
  });
});
