import { describe, expect, it } from 'vitest';
import { ApiResponseError } from '../../../../local/claude-standin/errors.js';
import { apiKeyOf, validateRequest } from '../../../../local/claude-standin/validate.js';

const headers = { 'anthropic-version': '2026-10-21' };
const ok = { model: 'claude-sonnet-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
const toolUse = { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } };

function rejection(body: unknown, h: Record<string, string> = headers): ApiResponseError {
  try {
    validateRequest(h, body);
  } catch (err) {
    if (err instanceof ApiResponseError) return err;
    throw err;
  }
  throw new Error('expected the request to be rejected');
}

describe('Request validation (local/claude-standin/validate)', () => {
  it('accepts a minimal request', () => {
    // Act
    const req = validateRequest(headers, ok);
    // Assess
    expect(req.model).toBe('claude-sonnet-5');
    expect(req.messages).toHaveLength(1);
  });

  it.each([
    [{ ...ok, max_tokens: undefined }, 'max_tokens: Field required'],
    [{ ...ok, model: undefined }, 'model: Field required'],
    [{ ...ok, messages: undefined }, 'messages: Field required'],
    [{ ...ok, messages: [] }, 'messages: at least one message is required'],
    [{ ...ok, max_tokens: 0 }, 'max_tokens: Input should be greater than or equal to 1'],
    [{ ...ok, max_tokens: 1.5 }, 'max_tokens: Input should be a valid integer'],
    [{ ...ok, messages: [{ role: 'robot', content: 'hi' }] }, "messages.0.role: Input should be 'user' or 'assistant'"],
    [{ ...ok, temperature: 0.2 }, 'temperature: Extra inputs are not permitted'],
    [{ ...ok, top_k: 5 }, 'top_k: Extra inputs are not permitted'],
    [{ ...ok, tools: [{ name: 'bad name', input_schema: { type: 'object' } }] }, 'tools.0.name: String should match'],
    [
      { ...ok, tools: [{ name: 't', input_schema: { type: 'string' } }] },
      "tools.0.input_schema.type: Input should be 'object'"
    ],
    [{ ...ok, tool_choice: { type: 'tool', name: 'nope' } }, "no tool named 'nope'"]
  ])('rejects %j with 400 invalid_request_error', (body, message) => {
    // Act
    const err = rejection(body);
    // Assess
    expect(err.status).toBe(400);
    expect(err.type).toBe('invalid_request_error');
    expect(err.message).toContain(message);
  });

  it('allows sampling parameters on older API versions only', () => {
    // Act
    const old = validateRequest({ 'anthropic-version': '2023-06-01' }, { ...ok, temperature: 0.2 });
    const missingVersion = rejection(ok, {});
    // Assess
    expect(old.max_tokens).toBe(100);
    expect(missingVersion.message).toBe('anthropic-version: header is required');
  });

  it('requires every tool_result to answer a tool_use of the previous assistant turn', () => {
    // Prepare
    const body = {
      ...ok,
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: [toolUse] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_other', content: 'sunny' }] }
      ]
    };
    // Act
    const err = rejection(body);
    // Assess
    expect(err.message).toContain('messages.2.content: unexpected `tool_use_id` found in `tool_result` blocks: toolu_other');
  });

  it('requires every tool_use to be answered in the next turn', () => {
    // Prepare
    const body = {
      ...ok,
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: [toolUse] },
        { role: 'user', content: 'never mind' }
      ]
    };
    // Act
    const err = rejection(body);
    // Assess
    expect(err.message).toContain(
      'messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1'
    );
  });

  it('accepts a well-paired tool round trip', () => {
    // Prepare
    const body = {
      ...ok,
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: [{ type: 'text', text: 'Let me check.' }, toolUse] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'sunny' }] }]
        }
      ]
    };
    // Act
    const req = validateRequest(headers, body);
    // Assess
    expect(req.messages).toHaveLength(3);
  });

  it('reads the key from a Bearer authorization or x-api-key, and rejects empty ones', () => {
    // Act
    const keys = [
      apiKeyOf({ authorization: 'Bearer sk-local' }),
      apiKeyOf({ 'x-api-key': 'sk-old' }),
      apiKeyOf({ authorization: 'Bearer ' }),
      apiKeyOf({ 'x-api-key': '' }),
      apiKeyOf({})
    ];
    // Assess
    expect(keys).toEqual(['sk-local', 'sk-old', undefined, undefined, undefined]);
  });
});
