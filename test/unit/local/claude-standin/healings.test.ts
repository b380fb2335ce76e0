import { describe, expect, it } from 'vitest';
import { respond } from '../../../../local/claude-standin/model.js';
import type { MessagesRequest } from '../../../../local/claude-standin/wire.js';

const tool = (name: string, description: string) => ({
  name,
  description,
  input_schema: { type: 'object' as const, properties: {} }
});
const TOOLS = [
  tool('demo__search_docs', 'Search the Cortex documentation.'),
  tool('cortex__list_healings', 'List past self-healings of MCP backends (what happened to a service).'),
  tool('cortex__get_healing', 'Everything Cortex knows about one healing.')
];
const base = { model: 'claude-test', max_tokens: 1024, tools: TOOLS };

describe('the stand-in and Cortex healings', () => {
  it('asks list_healings about the target of "what happened to X?"', () => {
    // Act
    const reply = respond({ ...base, messages: [{ role: 'user', content: 'What happened to mcp-demo today?' }] }, 's');
    // Assess
    expect(reply.stopReason).toBe('tool_use');
    expect(reply.blocks[1]).toMatchObject({
      type: 'tool_use',
      name: 'cortex__list_healings',
      input: { target: 'mcp-demo' }
    });
  });

  it('follows list_healings with get_healing for the newest healing, then answers from it', () => {
    // Arrange
    const listed = JSON.stringify({ healings: [{ healingId: 'h-9', target: 'demo/mcp-demo' }] });
    const req: MessagesRequest = {
      ...base,
      messages: [
        { role: 'user', content: 'what happened to mcp-demo?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'cortex__list_healings', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: listed }] }
      ]
    };
    // Act
    const next = respond(req, 's');
    const detail = JSON.stringify({ healingId: 'h-9', outcome: 'healed', summary: 'scaled from 0 to 1' });
    const answer = respond(
      {
        ...base,
        messages: [
          ...req.messages,
          { role: 'assistant', content: [{ type: 'tool_use', id: 't2', name: 'cortex__get_healing', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't2', content: detail }] }
        ]
      },
      's'
    );
    // Assess
    expect(next.blocks[1]).toMatchObject({ name: 'cortex__get_healing', input: { healingId: 'h-9' } });
    expect(answer.stopReason).toBe('end_turn');
    expect((answer.blocks[0] as { text: string }).text).toContain('h-9');
  });

  it('explains a healing brief in a "Root cause:" and a "Next step:" line', () => {
    const brief = {
      target: 'demo/mcp-demo',
      outcome: 'failed',
      findings: [{ check: 'pod-status', verdict: 'problem', summary: 'ImagePullBackOff' }],
      actions: [],
      manualSteps: ['Fix the image of deployment/mcp-demo']
    };
    const reply = respond(
      {
        model: 'm',
        max_tokens: 400,
        messages: [{ role: 'user', content: `Cortex healing brief:\n${JSON.stringify(brief)}` }]
      },
      's'
    );
    expect((reply.blocks[0] as { text: string }).text).toBe(
      'Root cause: demo/mcp-demo was not healed; pod-status: ImagePullBackOff.\nNext step: Fix the image of deployment/mcp-demo'
    );
  });
});
