import { describe, expect, it } from 'vitest';
import { withCacheBreakpoints } from '../../../../functions/chat/prompt-cache.js';
import { cutToolUse, replayFilter } from '../../../../functions/chat/claude-call.js';

const mark = { type: 'ephemeral' };

describe('Function: chat prompt caching and replayed streams', () => {
  it('marks the last tool, the system prompt and the last message block, and leaves the arrays given alone', () => {
    // Prepare
    const tools = [
      { name: 'a', input_schema: { type: 'object' as const } },
      { name: 'b', input_schema: { type: 'object' as const } }
    ];
    const messages = [
      { role: 'user' as const, content: 'first' },
      { role: 'assistant' as const, content: 'answer' },
      { role: 'user' as const, content: 'second' }
    ];
    // Act
    const out = withCacheBreakpoints({ system: 'be brief', tools, messages });
    // Assess
    expect(out.tools!.map((t) => (t as { cache_control?: unknown }).cache_control)).toEqual([undefined, mark]);
    expect(out.system).toEqual([{ type: 'text', text: 'be brief', cache_control: mark }]);
    expect(out.messages.slice(0, 2)).toEqual(messages.slice(0, 2));
    expect(out.messages[2]).toEqual({ role: 'user', content: [{ type: 'text', text: 'second', cache_control: mark }] });
    expect(messages[2]!.content).toBe('second');
    expect(JSON.stringify(out).match(/cache_control/g)).toHaveLength(3);
  });

  it('a retried stream shows only what the user has not seen yet', () => {
    // Prepare
    const shown: string[] = [];
    const filter = replayFilter((d) => shown.push(d));
    // Act
    ['Let me ', 'check'].forEach(filter.onText);
    filter.next();
    ['Let me', ' check that', ' now.'].forEach(filter.onText);
    // Assess
    expect(shown.join('')).toBe('Let me check that now.');
    expect(shown).toEqual(['Let me ', 'check', ' that', ' now.']);
  });

  it('recognises a tool call cut by max_tokens or by the context window', () => {
    // Prepare
    const use = { type: 'tool_use', id: 't', name: 'x', input: {} };
    const text = { type: 'text', text: 'hi' };
    const msg = (stop_reason: string, content: unknown[]) => ({ stop_reason, content }) as never;
    // Act
    const cases = [
      cutToolUse(msg('max_tokens', [text, use])),
      cutToolUse(msg('model_context_window_exceeded', [use])),
      cutToolUse(msg('max_tokens', [text])),
      cutToolUse(msg('tool_use', [text, use]))
    ];
    // Assess
    expect(cases).toEqual([true, true, false, false]);
  });
});
