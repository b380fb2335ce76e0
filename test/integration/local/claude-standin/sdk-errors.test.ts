import Anthropic, { AuthenticationError, BadRequestError } from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startClaudeStandin, type ClaudeStandin } from '../../../../local/claude-standin/index.js';
import { createLogger } from '../../../../shared/runtime/logging.js';

const params = { model: 'claude-sonnet-5', max_tokens: 256, messages: [{ role: 'user' as const, content: 'Hello' }] };

describe('Claude API stand-in rejects bad requests like the real API (local/claude-standin)', () => {
  let standin: ClaudeStandin;
  let client: Anthropic;

  beforeEach(async () => {
    standin = await startClaudeStandin({ log: createLogger({ name: 'claude-standin', level: 'silent' }), pacingMs: 0 });
    client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 2 });
  });

  afterEach(async () => {
    await standin.stop();
  });

  it('missing max_tokens: 400 BadRequestError, not retried', async () => {
    // Prepare
    const { max_tokens: _omitted, ...withoutMaxTokens } = params;
    // Act
    const err = await client.messages.create(withoutMaxTokens as MessageCreateParamsNonStreaming).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).status).toBe(400);
    expect((err as BadRequestError).type).toBe('invalid_request_error');
    expect((err as BadRequestError).apiMessage).toBe('max_tokens: Field required');
    expect(standin.requests()).toHaveLength(1);
  });

  it('temperature with anthropic-version 2026-10-21: 400 BadRequestError', async () => {
    // Prepare
    const withTemperature = { ...params, temperature: 0.2 } as MessageCreateParamsNonStreaming;
    // Act
    const err = await client.messages
      .stream(withTemperature)
      .finalMessage()
      .catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).apiMessage).toContain('temperature: Extra inputs are not permitted');
    expect(standin.requests()[0]!.headers['anthropic-version']).toBe('2026-10-21');
  });

  it('a tool_result that answers no tool_use: 400 BadRequestError', async () => {
    // Act
    const err = await client.messages
      .create({
        ...params,
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'hello' },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_made_up', content: 'x' }] }
        ]
      })
      .catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).apiMessage).toContain(
      'unexpected `tool_use_id` found in `tool_result` blocks: toolu_made_up'
    );
  });

  it('no key: 401 AuthenticationError', async () => {
    // Prepare
    const keyless = new Anthropic({ apiKey: 'test', baseURL: standin.url, defaultHeaders: { authorization: null } });
    // Act
    const err = await keyless.messages.create(params).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).status).toBe(401);
    expect((err as AuthenticationError).type).toBe('authentication_error');
    expect(standin.requests()[0]!.headers.authorization).toBeUndefined();
  });

  it('accepts the x-api-key header of older clients, and never records the key', async () => {
    // Act
    const res = await fetch(`${standin.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-secret-value', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ ...params, temperature: 0.5 })
    });
    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(((await res.json()) as { type: string }).type).toBe('message');
    expect(standin.requests()[0]!.headers['x-api-key']).toBe('[REDACTED]');
  });

  it('sends exactly the API error body, with content-type and a request-id matching the body', async () => {
    // Act
    const res = await fetch(`${standin.url}/v1/messages`, {
      method: 'POST',
      headers: { 'anthropic-version': '2026-10-21', 'content-type': 'application/json' },
      body: JSON.stringify(params)
    });
    const body = (await res.json()) as Record<string, unknown>;
    // Assess
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(Object.keys(body)).toEqual(['type', 'error', 'request_id']);
    expect(body).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: expect.stringContaining('Missing API key') },
      request_id: res.headers.get('request-id')
    });
    expect(res.headers.get('request-id')).toMatch(/^req_/);
  });

  it('answers a malformed body with 400, not a server error', async () => {
    // Act
    const res = await fetch(`${standin.url}/v1/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer test', 'anthropic-version': '2026-10-21', 'content-type': 'application/json' },
      body: JSON.stringify({ ...params, messages: [null, { role: 'user', content: [null, 7] }] })
    });
    // Assess
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'messages.0: Input should be an object'
    );
  });

  it('answers an unknown route with a not_found_error body', async () => {
    // Act
    const res = await fetch(`${standin.url}/v1/complete`, { method: 'POST', body: '{}' });
    // Assess
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
  });
});

describe('Claude API stand-in control API (local/claude-standin)', () => {
  let standin: ClaudeStandin;

  beforeEach(async () => {
    standin = await startClaudeStandin({ log: createLogger({ name: 'claude-standin', level: 'silent' }), pacingMs: 0 });
  });

  afterEach(async () => {
    await standin.stop();
  });

  it('queues faults over HTTP, and lists the requests with their retry counts', async () => {
    // Prepare
    const client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 1 });
    const queued = await fetch(`${standin.url}/_standin/faults`, {
      method: 'POST',
      body: JSON.stringify({ faults: [{ kind: 'rate_limit', retryAfterMs: 10 }] })
    });
    // Act
    const message = await client.messages.create(params);
    const listed = (await (await fetch(`${standin.url}/_standin/requests`)).json()) as {
      requests: Array<{ method: string; path: string; headers: Record<string, string>; body: unknown; status: number }>;
    };
    // Assess
    expect(queued.status).toBe(200);
    expect(await queued.json()).toEqual({ queued: 1 });
    expect(message.stop_reason).toBe('end_turn');
    expect(listed.requests.map((r) => [r.method, r.path, r.headers['x-stainless-retry-count'], r.status])).toEqual([
      ['POST', '/v1/messages', '0', 429],
      ['POST', '/v1/messages', '1', 200]
    ]);
    expect(listed.requests[0]!.headers.authorization).toBe('Bearer [REDACTED]');
    expect(listed.requests[0]!.body).toEqual(params);
  });

  it('clears queued faults and the request log', async () => {
    // Prepare
    const client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 0 });
    standin.faults.push({ kind: 'overloaded' });
    await fetch(`${standin.url}/_standin/faults`, {
      method: 'POST',
      body: JSON.stringify({ faults: [{ kind: 'server_error' }] })
    });
    // Act
    const clearedFaults = await (await fetch(`${standin.url}/_standin/faults`, { method: 'DELETE' })).json();
    const message = await client.messages.create(params);
    const clearedRequests = await (await fetch(`${standin.url}/_standin/requests`, { method: 'DELETE' })).json();
    // Assess
    expect(clearedFaults).toEqual({ cleared: 2 });
    expect(message.type).toBe('message');
    expect(clearedRequests).toEqual({ cleared: 1 });
    expect(standin.requests()).toEqual([]);
  });

  it('refuses an unknown fault with a clear 400', async () => {
    // Act
    const res = await fetch(`${standin.url}/_standin/faults`, {
      method: 'POST',
      body: JSON.stringify({ faults: [{ kind: 'overloaded' }, { kind: 'meltdown' }] })
    });
    // Assess
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('unknown fault kind "meltdown"');
  });
});
