import { stripFaultMarkers } from './faults.js';
import type { BlockParam, MessageParam, ToolResultBlockParam, ToolUseBlockParam } from './wire.js';

/* Reading a conversation: what the user said last, which tool results came back, how much history there is. */

/** The plain text of a message: a string, or its text blocks joined by newlines. */
export function textOf(content: MessageParam['content']): string {
  if (typeof content === 'string') return content;
  return content
    .filter((b): b is { type: 'text'; text: string } => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text)
    .join('\n');
}

/** The index of the last user message, or -1. */
export function lastUserIndex(messages: MessageParam[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return i;
  return -1;
}

const blocks = (m: MessageParam | undefined): BlockParam[] => (m && Array.isArray(m.content) ? m.content : []);

export function toolResultsOf(message: MessageParam | undefined): ToolResultBlockParam[] {
  return blocks(message).filter((b): b is ToolResultBlockParam => b.type === 'tool_result');
}

export function toolUsesOf(message: MessageParam | undefined): ToolUseBlockParam[] {
  return blocks(message).filter((b): b is ToolUseBlockParam => b.type === 'tool_use');
}

/** The text a tool returned: its string content, or its text blocks; other blocks are named, not dropped silently. */
export function toolResultText(block: ToolResultBlockParam): string {
  if (block.content === undefined) return '';
  if (typeof block.content === 'string') return block.content;
  return block.content.map((c) => (c.type === 'text' && typeof c.text === 'string' ? c.text : `[${c.type}]`)).join('\n');
}

/** Whitespace collapsed, fault markers removed, cut to `max` characters with an ellipsis. */
export function gist(text: string, max = 160): string {
  const clean = stripFaultMarkers(text);
  return clean.length <= max ? clean : `${clean.slice(0, max - 1).trimEnd()}…`;
}
