import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';

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
  const starts = messages.flatMap((m, i) => (startsTurn(m) ? [i] : []));
  if (maxTurns <= 0 || starts.length === 0) return [];
  const from = starts[Math.max(0, starts.length - maxTurns)]!;
  return messages.slice(from);
}
