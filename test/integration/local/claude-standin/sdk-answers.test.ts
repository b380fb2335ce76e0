import Anthropic from '@anthropic-ai/sdk';
import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startClaudeStandin, type ClaudeStandin } from '../../../../local/claude-standin/index.js';
import { createLogger } from '../../../../shared/runtime/logging.js';

const model = 'claude-sonnet-5';
const searchDocs: Tool = {
  name: 'demo__search_docs',
  description: 'Search the product documentation',
  input_schema: {
    type: 'object',
    properties: { query: { type: 'string' }, limit: { type: 'integer' } },
    required: ['query']
  }
};

describe('Claude API stand-in answers the real SDK (local/claude-standin)', () => {
  let standin: ClaudeStandin;
  let client: Anthropic;

  beforeEach(async () => {
    standin = await startClaudeStandin({ log: createLogger({ name: 'claude-standin', level: 'silent' }), pacingMs: 2 });
    client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 0 });
  });

  afterEach(async () => {
    await standin.stop();
  });

  it('streams a text answer in several deltas that ends with end_turn', async () => {
    // Prepare
    const deltas: string[] = [];
    const stream = client.messages.stream({
      model,
      max_tokens: 512,
      messages: [{ role: 'user', content: 'How do pods restart?' }]
    });
    stream.on('text', (delta) => deltas.push(delta));
    // Act
    const message = await stream.finalMessage();
    // Assess
    expect(deltas.length).toBeGreaterThan(3);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.model).toBe(model);
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({ type: 'text', text: deltas.join('') });
    expect(deltas.join('')).toContain('You asked: "How do pods restart?"');
    expect(message.usage.output_tokens).toBeGreaterThan(1);
    expect(stream.request_id).toMatch(/^req_/);
    expect(stream.request_id).toBe(standin.requests()[0]!.requestId);
  });

  it('calls an offered tool with a parsed input, then quotes the tool result', async () => {
    // Prepare
    const question = 'Please search docs for the retry policy, limit 3';
    const snapshots: unknown[] = [];
    const first = client.messages.stream({
      model,
      max_tokens: 512,
      tools: [searchDocs],
      messages: [{ role: 'user', content: question }]
    });
    first.on('inputJson', (_partial, snapshot) => snapshots.push(snapshot));
    // Act
    const call = await first.finalMessage();
    const toolUse = call.content.find((b) => b.type === 'tool_use');
    const answer = await client.messages
      .stream({
        model,
        max_tokens: 512,
        tools: [searchDocs],
        messages: [
          { role: 'user', content: question },
          { role: 'assistant', content: call.content },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: toolUse!.id,
                content: [{ type: 'text', text: 'Retries: 3, exponential backoff.' }]
              }
            ]
          }
        ]
      })
      .finalMessage();
    // Assess
    expect(call.stop_reason).toBe('tool_use');
    expect(call.content[0]).toMatchObject({ type: 'text', text: 'Let me check that with demo__search_docs.' });
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'demo__search_docs', input: { query: question, limit: 3 } });
    expect(toolUse!.id).toMatch(/^toolu_/);
    expect(snapshots.length).toBeGreaterThan(2);
    expect(snapshots.at(-1)).toEqual({ query: question, limit: 3 });
    expect(answer.stop_reason).toBe('end_turn');
    expect(answer.content[0]).toMatchObject({ type: 'text' });
    expect((answer.content[0] as { text: string }).text).toContain('"Retries: 3, exponential backoff."');
  });

  it('answers a follow-up with visible context of the earlier turns', async () => {
    // Act
    const message = await client.messages
      .stream({
        model,
        max_tokens: 512,
        messages: [
          { role: 'user', content: 'Is the api service healthy?' },
          { role: 'assistant', content: 'It looks healthy.' },
          { role: 'user', content: 'Since when?' }
        ]
      })
      .finalMessage();
    // Assess
    const text = (message.content[0] as { text: string }).text;
    expect(text).toContain('You asked: "Since when?"');
    expect(text).toContain('2 earlier messages; before this you asked: "Is the api service healthy?"');
  });

  it('answers a non-streaming create() with a proper Message as JSON', async () => {
    // Act
    const message = await client.messages.create({
      model,
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Hello!' }]
    });
    // Assess
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model,
      stop_reason: 'end_turn',
      stop_sequence: null,
      content: [{ type: 'text', citations: null }]
    });
    expect(message.id).toMatch(/^msg_/);
    expect((message.content[0] as { text: string }).text).toContain('You asked: "Hello!"');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message._request_id).toBe(standin.requests()[0]!.requestId);
    expect(standin.requests()[0]!.body).toMatchObject({ model, max_tokens: 256 });
  });

  it('reports max_tokens when the answer does not fit', async () => {
    // Act
    const message = await client.messages.create({
      model,
      max_tokens: 3,
      messages: [{ role: 'user', content: 'Tell me everything.' }]
    });
    // Assess
    expect(message.stop_reason).toBe('max_tokens');
    expect((message.content[0] as { text: string }).text).toHaveLength(12);
    expect(message.usage.output_tokens).toBe(3);
  });
});
