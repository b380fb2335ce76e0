import { describe, expect, it } from 'vitest';
import { applyLimits, MAX_QUOTE_CHARS, respond } from '../../../../local/claude-standin/model.js';
import type { MessagesRequest, Reply, ToolParam } from '../../../../local/claude-standin/wire.js';

const searchDocs: ToolParam = {
  name: 'demo__search_docs',
  description: 'Search the product documentation',
  input_schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] }
};
const base = { model: 'claude-sonnet-5', max_tokens: 1024 };
const textOf = (reply: Reply): string => reply.blocks.map((b) => (b.type === 'text' ? b.text : '')).join('');

function toolRound(result: { content: string; is_error?: boolean }): MessagesRequest {
  return {
    ...base,
    tools: [searchDocs],
    messages: [
      { role: 'user', content: 'search docs for the retry policy' },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'demo__search_docs', input: { query: 'retry policy' } }]
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', ...result }] }
    ]
  };
}

describe('The stand-in model (local/claude-standin/model)', () => {
  it('calls the tool the user asks for, after a short text, with input from the schema', () => {
    // Prepare
    const req: MessagesRequest = {
      ...base,
      tools: [searchDocs],
      messages: [{ role: 'user', content: 'search docs for retries' }]
    };
    // Act
    const reply = respond(req, 'seed');
    // Assess
    expect(reply.stopReason).toBe('tool_use');
    expect(reply.blocks[0]).toEqual({ type: 'text', text: 'Let me check that with demo__search_docs.' });
    expect(reply.blocks[1]).toMatchObject({
      type: 'tool_use',
      name: 'demo__search_docs',
      input: { query: 'search docs for retries' }
    });
    expect((reply.blocks[1] as { id: string }).id).toMatch(/^toolu_01[A-Za-z0-9]{22}$/);
  });

  it('is deterministic: the same request gives the same tool_use id, another conversation a different one', () => {
    // Prepare
    const req: MessagesRequest = { ...base, tools: [searchDocs], messages: [{ role: 'user', content: 'search docs' }] };
    // Act
    const [a, b, c] = [respond(req, 'one'), respond(req, 'one'), respond(req, 'two')];
    // Assess
    expect(b).toEqual(a);
    expect((c.blocks[1] as { id: string }).id).not.toBe((a.blocks[1] as { id: string }).id);
  });

  it('quotes a tool result in its answer', () => {
    // Act
    const reply = respond(toolRound({ content: 'Retries back off exponentially, up to 3 times.' }), 's');
    // Assess
    expect(reply.stopReason).toBe('end_turn');
    expect(textOf(reply)).toContain(
      'Here is what demo__search_docs returned: "Retries back off exponentially, up to 3 times."'
    );
    expect(textOf(reply)).toContain('about "search docs for the retry policy"');
  });

  it('says the tool failed and quotes the error', () => {
    // Act
    const reply = respond(toolRound({ content: 'connect ECONNREFUSED 10.0.0.7:8080', is_error: true }), 's');
    // Assess
    expect(textOf(reply)).toContain('The demo__search_docs tool failed');
    expect(textOf(reply)).toContain('"connect ECONNREFUSED 10.0.0.7:8080"');
  });

  it('trims a long tool result to a sane length', () => {
    // Act
    const reply = respond(toolRound({ content: 'y'.repeat(5000) }), 's');
    // Assess
    expect(textOf(reply)).toContain(`${'y'.repeat(MAX_QUOTE_CHARS)}…`);
    expect(textOf(reply)).not.toContain('y'.repeat(MAX_QUOTE_CHARS + 1));
  });

  it('echoes a plain question, and mentions the history of a follow-up', () => {
    // Prepare
    const first: MessagesRequest = { ...base, messages: [{ role: 'user', content: 'How do pods restart?' }] };
    const followUp: MessagesRequest = {
      ...base,
      messages: [...first.messages, { role: 'assistant', content: 'They restart.' }, { role: 'user', content: 'And why?' }]
    };
    // Act
    const [a, b] = [textOf(respond(first, 's')), textOf(respond(followUp, 's'))];
    // Assess
    expect(a).toContain('You asked: "How do pods restart?"');
    expect(a).not.toContain('earlier message');
    expect(b).toContain('You asked: "And why?"');
    expect(b).toContain('This conversation has 2 earlier messages; before this you asked: "How do pods restart?"');
  });

  it('stops at max_tokens and at a stop sequence, as the API reports them', () => {
    // Prepare
    const reply: Reply = {
      blocks: [{ type: 'text', text: 'one two three four five six' }],
      stopReason: 'end_turn',
      stopSequence: null
    };
    // Act
    const cut = applyLimits(reply, 2, []);
    const stopped = applyLimits(reply, 100, ['four', 'five']);
    // Assess
    expect(cut).toEqual({ blocks: [{ type: 'text', text: 'one two ' }], stopReason: 'max_tokens', stopSequence: null });
    expect(stopped).toEqual({
      blocks: [{ type: 'text', text: 'one two three ' }],
      stopReason: 'stop_sequence',
      stopSequence: 'four'
    });
  });
});
