import type {
  ContentBlockParam,
  MessageCreateParamsBase,
  MessageParam,
  TextBlockParam,
  Tool
} from '@anthropic-ai/sdk/resources/messages';

/*
 * Prompt caching: `cache_control` breakpoints on the stable prefix. The API caches the prompt in the order tools →
 * system → messages, so three breakpoints cover a chat: after the last tool (the tool list changes only when an MCP
 * server's does), after the system prompt, and after the last message (the conversation so far, which the next
 * call of the same tool loop or the session's next message repeats). A message makes up to CORTEX_CHAT_MAX_TURNS
 * calls, each resending everything: from the second call on, the prefix is read from the cache at a tenth of the
 * price. The API allows four breakpoints; prefixes under the model's minimum (1024 tokens for Sonnet) are simply
 * not cached.
 */

const EPHEMERAL = { type: 'ephemeral' } as const;

type Prompt = Pick<MessageCreateParamsBase, 'system' | 'messages' | 'tools'>;

function markLast(message: MessageParam): MessageParam {
  const blocks: ContentBlockParam[] =
    typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : [...message.content];
  const last = blocks.at(-1);
  if (!last || last.type === 'thinking' || last.type === 'redacted_thinking') return message;
  blocks[blocks.length - 1] = { ...last, cache_control: EPHEMERAL } as ContentBlockParam;
  return { ...message, content: blocks } as MessageParam;
}

/**
 * The prompt with cache breakpoints after the tools, the system prompt and the last message. The caller's arrays
 * are not touched (history is stored without markers).
 *
 * @example
 * client.messages.stream({ model, max_tokens, ...withCacheBreakpoints({ system, messages, tools }) });
 */
export function withCacheBreakpoints<P extends Prompt>(prompt: P): P {
  const tools = prompt.tools?.map((t, i, all) => (i === all.length - 1 ? { ...t, cache_control: EPHEMERAL } : t));
  const system: TextBlockParam[] | undefined =
    typeof prompt.system === 'string'
      ? [{ type: 'text', text: prompt.system, cache_control: EPHEMERAL }]
      : prompt.system?.map((b, i, all) => (i === all.length - 1 ? { ...b, cache_control: EPHEMERAL } : b));
  const messages = prompt.messages.map((m, i, all) => (i === all.length - 1 ? markLast(m) : m));
  return {
    ...prompt,
    messages,
    ...(system ? { system } : {}),
    ...(tools ? { tools: tools as Tool[] } : {})
  };
}
