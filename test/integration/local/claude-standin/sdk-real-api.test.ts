import Anthropic, { APIError, BadRequestError } from '@anthropic-ai/sdk';
import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startClaudeStandin,
  type ClaudeStandin,
  type ClaudeStandinOptions
} from '../../../../local/claude-standin/index.js';
import { createLogger } from '../../../../shared/runtime/logging.js';

/*
 * What the real Messages API does and a naive client never sees: a tool call cut by max_tokens, refusals, the
 * context window, schema rules, parallel tool calls, pings, in-stream errors, prompt caching and count_tokens. Each
 * seen through the real SDK 1.14.0.
 */

const model = 'claude-sonnet-5';
const weather: Tool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }
};
const pods: Tool = {
  name: 'list_pods',
  description: 'Pods of a namespace',
  input_schema: { type: 'object', properties: { namespace: { type: 'string' } }, required: ['namespace'] }
};

describe('Claude API stand-in: real API behaviours through the SDK (local/claude-standin)', () => {
  const started: ClaudeStandin[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  });
  const start = async (opts: Partial<ClaudeStandinOptions> = {}): Promise<{ s: ClaudeStandin; client: Anthropic }> => {
    const s = await startClaudeStandin({ log: createLogger({ name: 't', level: 'silent' }), pacingMs: 0, ...opts });
    started.push(s);
    return { s, client: new Anthropic({ apiKey: 'test', baseURL: s.url, maxRetries: 0 }) };
  };

  it('max_tokens in the middle of a tool call: a tool_use block with partial input and stop_reason max_tokens', async () => {
    // Prepare
    const { client } = await start();
    const params = {
      model,
      max_tokens: 16,
      tools: [weather],
      messages: [{ role: 'user' as const, content: 'What is the weather in Paris city: Paris-Charles-de-Gaulle?' }]
    };
    // Act
    const streamed = await client.messages.stream(params).finalMessage();
    const plain = await client.messages.create(params);
    // Assess
    for (const message of [streamed, plain]) {
      expect(message.stop_reason).toBe('max_tokens');
      const use = message.content.at(-1)!;
      expect(use.type).toBe('tool_use');
      expect(JSON.stringify(use)).not.toContain('Paris-Charles-de-Gaulle');
    }
  });

  it('a refusal carries stop_details, and a conversation that keeps the refused message is refused again', async () => {
    // Prepare
    const { s, client } = await start();
    s.faults.push({ kind: 'refusal', category: 'cyber' });
    const ask = { role: 'user' as const, content: 'Write me something nasty' };
    // Act
    const refused = await client.messages.stream({ model, max_tokens: 200, messages: [ask] }).finalMessage();
    const again = await client.messages.create({
      model,
      max_tokens: 200,
      messages: [ask, { role: 'assistant', content: 'I' }, { role: 'user', content: 'Something else then' }]
    });
    const reset = await client.messages.create({
      model,
      max_tokens: 200,
      messages: [{ role: 'user', content: 'Something else then' }]
    });
    // Assess
    expect(refused.stop_reason).toBe('refusal');
    expect(refused.stop_details).toEqual({
      type: 'refusal',
      category: 'cyber',
      explanation: 'This request was declined because it could enable cyber harm.'
    });
    expect(again.stop_reason).toBe('refusal');
    expect(reset.stop_reason).toBe('end_turn');
  });

  it('a prompt over the context window is a 400 "prompt is too long"; an answer that fills it stops with model_context_window_exceeded', async () => {
    // Prepare
    const { client } = await start({ contextWindow: 400 });
    const ask = (words: number) => ({
      model,
      max_tokens: 1000,
      messages: [{ role: 'user' as const, content: 'word '.repeat(words) }]
    });
    // Act
    const tooLong = await client.messages.create(ask(600)).catch((e: unknown) => e);
    const full = await client.messages.stream(ask(300)).finalMessage();
    // Assess
    expect(tooLong).toBeInstanceOf(BadRequestError);
    expect((tooLong as BadRequestError).error).toMatchObject({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: expect.stringMatching(/^prompt is too long: \d+ tokens > 400 maximum$/)
      }
    });
    expect(full.stop_reason).toBe('model_context_window_exceeded');
    expect(full.usage.input_tokens + full.usage.output_tokens).toBeLessThanOrEqual(400);
  });

  it('a tool whose input_schema has oneOf, anyOf or allOf at the top level is a 400 naming the tool', async () => {
    // Prepare
    const { client } = await start();
    const combined: Tool = {
      name: 'either',
      input_schema: { type: 'object', anyOf: [{ required: ['a'] }, { required: ['b'] }] } as Tool['input_schema']
    };
    // Act
    const err = await client.messages
      .create({ model, max_tokens: 50, tools: [weather, combined], messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).error).toMatchObject({
      error: {
        type: 'invalid_request_error',
        message: 'tools.1.custom.input_schema: input_schema does not support oneOf, allOf, or anyOf at the top level'
      }
    });
  });

  it('naming two tools gives two tool_use blocks in one turn, unless parallel tool use is disabled', async () => {
    // Prepare
    const { client } = await start();
    const messages = [{ role: 'user' as const, content: 'Use get_weather for city Paris and list_pods for namespace demo' }];
    // Act
    const parallel = await client.messages
      .stream({ model, max_tokens: 500, tools: [weather, pods], messages })
      .finalMessage();
    const single = await client.messages.create({
      model,
      max_tokens: 500,
      tools: [weather, pods],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages
    });
    // Assess
    const uses = (m: Anthropic.Message) => m.content.flatMap((b) => (b.type === 'tool_use' ? [b.name] : []));
    expect(parallel.stop_reason).toBe('tool_use');
    expect(uses(parallel)).toEqual(['get_weather', 'list_pods']);
    expect(parallel.content.find((b) => b.type === 'tool_use' && b.name === 'list_pods')).toMatchObject({
      input: { namespace: 'demo' }
    });
    expect(uses(single)).toHaveLength(1);
  });

  it('a long pause in a stream is filled with pings, and the answer still completes', async () => {
    // Prepare
    const { s } = await start();
    s.faults.push({ kind: 'pause', ms: 600, pingMs: 100 });
    // Act
    const res = await fetch(`${s.url}/v1/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'anthropic-version': '2026-10-21', 'content-type': 'application/json' },
      body: JSON.stringify({ model, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] })
    });
    const text = await res.text();
    // Assess
    const names = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names.slice(0, 2)).toEqual(['message_start', 'content_block_start']);
    expect(names.slice(2, 7)).toEqual(['ping', 'ping', 'ping', 'ping', 'ping']);
    expect(names.at(-1)).toBe('message_stop');
  });

  it('an in-stream api_error after the first events is an APIError of type api_error, not retried by the SDK', async () => {
    // Prepare
    const { s } = await start();
    s.faults.push({ kind: 'stream_error', error: 'api_error', afterEvents: 2 });
    const client = new Anthropic({ apiKey: 'test', baseURL: s.url, maxRetries: 2 });
    // Act
    const err = await client.messages
      .stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage()
      .catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(APIError);
    expect(err).toMatchObject({ status: undefined, type: 'api_error' });
    expect(s.requests()).toHaveLength(1);
  });

  it('a repeated cached prefix is read from the cache: creation tokens first, read tokens after', async () => {
    // Prepare
    const { client } = await start({ minCacheTokens: 100 });
    const system = [
      { type: 'text' as const, text: 'You are terse. '.repeat(60), cache_control: { type: 'ephemeral' as const } }
    ];
    const ask = (content: string) => ({ model, max_tokens: 100, system, messages: [{ role: 'user' as const, content }] });
    // Act
    const first = await client.messages.stream(ask('First question')).finalMessage();
    const second = await client.messages.create(ask('Second question, a different one'));
    const short = await client.messages.create({ ...ask('x'), system: [{ ...system[0]!, text: 'tiny' }] });
    // Assess
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(100);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBeLessThan(40);
    expect(short.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  it('more than four cache_control breakpoints are a 400', async () => {
    // Prepare
    const { client } = await start();
    const marked = (name: string): Tool => ({ ...weather, name, cache_control: { type: 'ephemeral' } });
    // Act
    const err = await client.messages
      .create({
        model,
        max_tokens: 50,
        tools: ['a', 'b', 'c', 'd', 'e'].map(marked),
        messages: [{ role: 'user', content: 'hi' }]
      })
      .catch((e: unknown) => e);
    // Assess
    expect((err as BadRequestError).error).toMatchObject({
      error: { message: 'A maximum of 4 blocks with cache_control may be provided. Found 5.' }
    });
  });

  it('count_tokens counts what a message would: the same input tokens, without max_tokens', async () => {
    // Prepare
    const { client } = await start();
    const body = { model, tools: [weather], messages: [{ role: 'user' as const, content: 'How warm is it in Paris?' }] };
    // Act
    const counted = await client.messages.countTokens(body);
    const sent = await client.messages.create({ ...body, max_tokens: 100, tool_choice: { type: 'none' } });
    const invalid = await client.messages.countTokens({ ...body, messages: [] }).catch((e: unknown) => e);
    // Assess
    expect(counted.input_tokens).toBeGreaterThan(10);
    expect(counted.input_tokens).toBe(sent.usage.input_tokens);
    expect(invalid).toBeInstanceOf(BadRequestError);
  });
});
