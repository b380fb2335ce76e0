import type { ContentBlockParam, MessageParam } from '@anthropic-ai/sdk/resources/messages';

/*
 * A session's conversation, bounded by turns. A turn starts with a user message that the user typed (not a
 * tool_result message) and holds everything Claude did to answer it: its tool_use blocks and the tool_result messages
 * that answer them. Trimming only ever cuts in front of such a user message, so a tool_use is never separated from its
 * tool_result; the API rejects a history where that happened.
 */

/** True for a user message the user typed (as opposed to one carrying tool results). */
export function startsTurn(message: MessageParam): boolean {
  if (message.role !== 'user') return false;
  if (typeof message.content === 'string') return true;
  return !message.content.some((block) => block.type === 'tool_result');
}

/**
 * Keeps the last `maxTurns` turns. Anything before the first turn start (a damaged history) is dropped too.
 *
 * @example
 * trimHistory([u1, a1, u2, aToolUse, uToolResult, a2], 1); // [u2, aToolUse, uToolResult, a2]
 */
export function trimHistory(messages: readonly MessageParam[], maxTurns: number): MessageParam[] {
  return maxTurns <= 0 ? [] : splitTurns(messages).slice(-maxTurns).flat();
}

/** The conversation cut into turns, each starting at a message the user typed; anything before the first is dropped. */
export function splitTurns(messages: readonly MessageParam[]): MessageParam[][] {
  const turns: MessageParam[][] = [];
  for (const m of messages) {
    if (startsTurn(m)) turns.push([m]);
    else turns.at(-1)?.push(m);
  }
  return turns;
}

const blocksOf = (m: MessageParam | undefined): ContentBlockParam[] => (m && Array.isArray(m.content) ? m.content : []);
const useIds = (m: MessageParam | undefined): Set<string> =>
  new Set(blocksOf(m).flatMap((b) => (b.type === 'tool_use' ? [b.id] : [])));
const resultIds = (m: MessageParam | undefined): Set<string> =>
  new Set(blocksOf(m).flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : [])));

/**
 * A history the API accepts: every tool_use answered by a tool_result in the next message and every tool_result
 * answering a tool_use of the message before. Unpaired blocks are removed, and a message left empty is dropped. A session saved by an older version with a tool call cut by
 * max_tokens is mended this way instead of failing every later message with a 400.
 *
 * @example
 * repairHistory([u1, { role: 'assistant', content: [text, cutToolUse] }]); // [u1, { role: 'assistant', content: [text] }]
 */
export function repairHistory(messages: readonly MessageParam[]): { messages: MessageParam[]; repaired: boolean } {
  const out: MessageParam[] = [];
  messages.forEach((m, i) => {
    if (typeof m.content === 'string' || m.role === 'system') return void out.push(m);
    const answered = resultIds(messages[i + 1]);
    const asked = messages[i - 1]?.role === 'assistant' ? useIds(messages[i - 1]) : new Set<string>();
    const paired = (b: ContentBlockParam): boolean =>
      b.type === 'tool_use'
        ? m.role === 'assistant' && answered.has(b.id)
        : b.type !== 'tool_result' || asked.has(b.tool_use_id);
    const content = m.content.filter(paired);
    // A message left empty goes; the API joins the same-role messages that may then meet.
    if (content.length > 0) out.push(content.length === m.content.length ? m : ({ ...m, content } as MessageParam));
  });
  const mended = splitTurns(out).flat();
  const repaired = mended.length !== messages.length || mended.some((m, i) => m !== messages[i]);
  return { messages: mended, repaired };
}
