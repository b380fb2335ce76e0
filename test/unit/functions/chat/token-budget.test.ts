import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import { estimateTokens, fitToBudget, shorten, trimSteps } from '../../../../functions/chat/token-budget.js';

const user = (text: string): MessageParam => ({ role: 'user', content: text });
const call = (id: string): MessageParam => ({
  role: 'assistant',
  content: [{ type: 'tool_use', id, name: 'report', input: {} }]
});
const result = (id: string, text: string): MessageParam => ({
  role: 'user',
  content: [{ type: 'tool_result', tool_use_id: id, content: [{ type: 'text', text }] }]
});
const answer = (text: string): MessageParam => ({ role: 'assistant', content: text });
const turn = (n: number, size: number): MessageParam[] => [
  user(`question ${n}`),
  call(`t${n}`),
  result(`t${n}`, `r${n} ${'x'.repeat(size)}`),
  answer(`answer ${n}`)
];

describe('Function: chat keeps history within a token budget', () => {
  it('shortens text keeping its head and tail, and says how much was cut', () => {
    // Act
    const out = shorten('a'.repeat(70) + 'b'.repeat(900) + 'c'.repeat(30), 100);
    // Assess
    expect(out).toBe(`${'a'.repeat(70)}\n…[900 characters cut to fit the context window]…\n${'c'.repeat(30)}`);
  });

  it('trims mildest first: old tool results, then old turns, then the current turn; never splits a tool call', () => {
    // Prepare
    const messages = [...turn(1, 1000), ...turn(2, 1000), user('now'), call('t3'), result('t3', 'y'.repeat(5000))];
    // Act
    const steps = [...trimSteps(messages, 100)];
    // Assess
    expect(steps.map((s) => s.length)).toEqual([11, 11, 7, 3, 3, 3, 3]);
    expect(JSON.stringify(steps[0]![2])).toContain('characters cut');
    expect(JSON.stringify(steps[0]![6])).not.toContain('characters cut');
    expect(steps[3]![0]).toEqual(user('now'));
    for (const step of steps) expect(step[0]!.role).toBe('user');
    expect(JSON.stringify(steps.at(-1)).length).toBeLessThan(1000);
  });

  it('under half the budget by estimate, nothing is counted and nothing cut', async () => {
    // Prepare
    const messages = turn(1, 100);
    let counted = 0;
    // Act
    const fitted = await fitToBudget(messages, { budget: 10_000, toolResultChars: 100, count: async () => ++counted });
    // Assess
    expect(fitted).toMatchObject({ messages, trimmed: false });
    expect(counted).toBe(0);
  });

  it('near the budget it counts exactly, and cuts until the exact count fits', async () => {
    // Prepare
    const messages = [...turn(1, 3000), ...turn(2, 3000), ...turn(3, 3000), user('now')];
    const exact = async (m: MessageParam[]) => Math.ceil(JSON.stringify(m).length / 4);
    const counts: number[] = [];
    // Act
    const fitted = await fitToBudget(messages, {
      budget: 1_200,
      toolResultChars: 200,
      count: async (m) => {
        counts.push(await exact(m));
        return counts.at(-1)!;
      }
    });
    // Assess
    expect(fitted.trimmed).toBe(true);
    expect(await exact(fitted.messages)).toBeLessThanOrEqual(1_200);
    expect(fitted.messages.at(-1)).toEqual(user('now'));
    expect(counts[0]).toBeGreaterThan(1_200);
    expect(estimateTokens(fitted.messages)).toBeLessThan(estimateTokens(messages));
  });
});
