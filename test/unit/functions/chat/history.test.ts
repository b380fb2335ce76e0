import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import { repairHistory, startsTurn, trimHistory } from '../../../../functions/chat/history.js';
import { MemorySessions } from '../../../../functions/chat/sessions.js';

const user = (text: string): MessageParam => ({ role: 'user', content: text });
const assistant = (text: string): MessageParam => ({ role: 'assistant', content: [{ type: 'text', text }] });
const toolUse = (id: string): MessageParam => ({
  role: 'assistant',
  content: [{ type: 'tool_use', id, name: 'demo__search_docs', input: { query: 'q' } }]
});
const toolResult = (id: string): MessageParam => ({
  role: 'user',
  content: [{ type: 'tool_result', tool_use_id: id, content: 'r' }]
});

/** Every tool_use is answered by a tool_result in the next message, and every tool_result answers the previous one. */
function pairsIntact(messages: MessageParam[]): boolean {
  return messages.every((m, i) => {
    const blocks = typeof m.content === 'string' ? [] : m.content;
    const uses = blocks.flatMap((b) => (b.type === 'tool_use' ? [b.id] : []));
    const results = blocks.flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : []));
    const next = messages[i + 1];
    const nextResults =
      next && typeof next.content !== 'string'
        ? next.content.flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : []))
        : [];
    const prev = messages[i - 1];
    const prevUses =
      prev && typeof prev.content !== 'string' ? prev.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : [])) : [];
    return uses.every((id) => nextResults.includes(id)) && results.every((id) => prevUses.includes(id));
  });
}

const conversation: MessageParam[] = [
  user('q1'),
  assistant('a1'),
  user('q2'),
  toolUse('t1'),
  toolResult('t1'),
  toolUse('t2'),
  toolResult('t2'),
  assistant('a2'),
  user('q3'),
  assistant('a3')
];

describe('Function: chat history trimming', () => {
  it('tells typed user messages from tool results', () => {
    // Prepare
    const messages = [user('hi'), toolResult('t1'), assistant('x')];
    // Act
    const starts = messages.map(startsTurn);
    // Assess
    expect(starts).toEqual([true, false, false]);
  });

  it.each([
    [1, ['q3', 'a3']],
    [2, ['q2', 't1', 't1', 't2', 't2', 'a2', 'q3', 'a3']],
    [3, ['q1', 'a1', 'q2', 't1', 't1', 't2', 't2', 'a2', 'q3', 'a3']],
    [10, ['q1', 'a1', 'q2', 't1', 't1', 't2', 't2', 'a2', 'q3', 'a3']],
    [0, []]
  ])('keeps the last %i turn(s), cutting only in front of a typed message', (turns, expected) => {
    // Prepare
    const label = (m: MessageParam): string => {
      if (typeof m.content === 'string') return m.content;
      const b = m.content[0]!;
      return b.type === 'text' ? b.text : b.type === 'tool_use' ? b.id : b.type === 'tool_result' ? b.tool_use_id : '?';
    };
    // Act
    const kept = trimHistory(conversation, turns);
    // Assess
    expect(kept.map(label)).toEqual(expected);
    expect(pairsIntact(kept)).toBe(true);
  });

  it('drops a damaged head that starts with a tool result', () => {
    // Prepare
    const damaged = [toolResult('t0'), assistant('a0'), user('q1'), assistant('a1')];
    // Act
    const kept = trimHistory(damaged, 5);
    // Assess
    expect(kept).toEqual([user('q1'), assistant('a1')]);
  });
});

describe('Function: chat session store in memory', () => {
  const turn = async (store: MemorySessions, id: string) => {
    const t = await store.begin(id);
    await t!.end();
    return t!;
  };

  it('evicts the least recently used session past the bound', async () => {
    // Prepare
    const store = new MemorySessions({ maxSessions: 2, ttlMs: 60_000, historyTurns: 5, now: () => 0 });
    await store.create('s-aaaaaaaa');
    await store.create('s-bbbbbbbb');
    const a = await store.begin('s-aaaaaaaa');
    await a!.commit([user('kept')]);
    await a!.end();
    // Act
    await store.create('s-cccccccc');
    // Assess
    expect(store.size).toBe(2);
    expect((await turn(store, 's-aaaaaaaa')).history).toEqual([user('kept')]);
    expect((await turn(store, 's-bbbbbbbb')).history).toEqual([]);
  });

  it('never evicts a session that is answering a message', async () => {
    // Prepare
    const store = new MemorySessions({ maxSessions: 1, ttlMs: 60_000, historyTurns: 5, now: () => 0 });
    const busy = await store.begin('s-busy-one');
    // Act
    await store.create('s-another');
    // Assess
    expect(await store.begin('s-busy-one')).toBeUndefined();
    await busy!.end();
  });
});

describe('Function: chat history repair', () => {
  it('mends a history saved with a tool call cut by max_tokens: the unanswered tool_use goes, the text stays', () => {
    // Prepare
    const cut: MessageParam = {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'cut', name: 'demo__search_docs', input: { query: 'par' } }
      ]
    };
    const broken = [user('q1'), cut, user('q2'), assistant('a2')];
    // Act
    const { messages, repaired } = repairHistory(broken);
    // Assess
    expect(repaired).toBe(true);
    expect(messages).toEqual([user('q1'), assistant('Let me check.'), user('q2'), assistant('a2')]);
    expect(pairsIntact(messages)).toBe(true);
  });

  it('drops orphaned tool results and empty messages, and leaves an intact history untouched', () => {
    // Prepare
    const orphan = [user('q1'), assistant('a1'), toolResult('ghost'), toolUse('t1')];
    const intact = [user('q1'), toolUse('t1'), toolResult('t1'), assistant('a1')];
    // Act
    const mended = repairHistory(orphan);
    const kept = repairHistory(intact);
    // Assess
    expect(mended.messages).toEqual([user('q1'), assistant('a1')]);
    expect(kept).toEqual({ messages: intact, repaired: false });
  });
});
