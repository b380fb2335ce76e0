import { describe, expect, it } from 'vitest';
import { PromptCache, promptBlocks, promptTokens } from '../../../../local/claude-standin/prompt.js';
import type { MessageParam, MessagesRequest } from '../../../../local/claude-standin/wire.js';

const mark = { type: 'ephemeral' as const };
const request = (messages: MessageParam[], extra: Partial<MessagesRequest> = {}): MessagesRequest => ({
  model: 'claude-sonnet-5',
  max_tokens: 100,
  system: [{ type: 'text', text: 'Be brief. '.repeat(80), cache_control: mark }],
  messages,
  ...extra
});
const user = (text: string, marked = false): MessageParam => ({
  role: 'user',
  content: [{ type: 'text', text, ...(marked ? { cache_control: mark } : {}) }]
});
const assistant = (text: string): MessageParam => ({ role: 'assistant', content: [{ type: 'text', text }] });

describe('Prompt tokens and prompt cache (local/claude-standin/prompt)', () => {
  it('counts tools, system and messages, and a marker does not change the prefix', () => {
    // Prepare
    const plain = request([user('hello')]);
    const marked = request([user('hello', true)]);
    // Act
    const [a, b] = [promptBlocks(plain), promptBlocks(marked)];
    // Assess
    expect(a.map((x) => x.prefixHash)).toEqual(b.map((x) => x.prefixHash));
    expect(promptTokens(a)).toBe(promptTokens(b));
    expect(a.map((x) => x.breakpoint)).toEqual([true, false]);
    expect(b.map((x) => x.breakpoint)).toEqual([true, true]);
  });

  it('a growing conversation reads the previous breakpoint back (lookback) and writes only what is new', () => {
    // Prepare
    const cache = new PromptCache({ minTokens: 50, ttlMs: 60_000, now: () => 0 });
    const turn1 = request([user('first question', true)]);
    const turn2 = request([user('first question'), assistant('first answer'), user('second question', true)]);
    // Act
    const u1 = cache.use(promptBlocks(turn1));
    const u2 = cache.use(promptBlocks(turn2));
    // Assess
    const blocks1 = promptBlocks(turn1);
    const blocks2 = promptBlocks(turn2);
    expect(u1).toEqual({ inputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: promptTokens(blocks1) });
    expect(u2.cacheReadTokens).toBe(promptTokens(blocks1));
    expect(u2.cacheCreationTokens).toBe(promptTokens(blocks2) - promptTokens(blocks1));
    expect(u2.inputTokens).toBe(0);
  });

  it('entries expire after their TTL, and prefixes under the minimum are never cached', () => {
    // Prepare
    let now = 0;
    const cache = new PromptCache({ minTokens: 50, ttlMs: 1_000, now: () => now });
    const req = request([user('q')]);
    cache.use(promptBlocks(req));
    const tiny = request([user('q')], { system: [{ type: 'text', text: 'tiny', cache_control: mark }] });
    // Act
    now = 999;
    const fresh = cache.use(promptBlocks(req));
    now = 999 + 1_000;
    const expired = cache.use(promptBlocks(req));
    const under = [cache.use(promptBlocks(tiny)), cache.use(promptBlocks(tiny))];
    // Assess
    expect(fresh.cacheReadTokens).toBeGreaterThan(0);
    expect(expired.cacheReadTokens).toBe(0);
    expect(expired.cacheCreationTokens).toBeGreaterThan(0);
    expect(under.map((u) => u.cacheReadTokens + u.cacheCreationTokens)).toEqual([0, 0]);
  });
});
