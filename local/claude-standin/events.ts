import { blockTokens } from './model.js';
import { cutJson, hashString, seededRandom, toWireJson } from './partial-json.js';
import type { Reply, ReplyBlock, Usage } from './wire.js';

/*
 * A reply as the API serialises it: one Message JSON, or the SSE event sequence
 * message_start → (content_block_start, ping after the first, deltas, content_block_stop)* → message_delta → message_stop.
 */

export interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
}

export interface MessageMeta {
  id: string;
  model: string;
  /** Input tokens after the last cache breakpoint (all of them when nothing is cached). */
  inputTokens: number;
  cacheReadTokens?: number;
  cacheCreationTokens?: number;
}

const usage = (meta: MessageMeta, outputTokens: number): Usage => ({
  input_tokens: meta.inputTokens,
  output_tokens: outputTokens,
  cache_creation_input_tokens: meta.cacheCreationTokens ?? 0,
  cache_read_input_tokens: meta.cacheReadTokens ?? 0,
  service_tier: 'standard'
});

export function outputTokens(reply: Reply): number {
  return Math.max(
    1,
    reply.blocks.reduce((n, b) => n + blockTokens(b), 0)
  );
}

/** The Message object of a non-streaming response. */
export function messageBody(reply: Reply, meta: MessageMeta): Record<string, unknown> {
  const content = reply.blocks.map((b) =>
    b.type === 'text'
      ? { type: 'text', text: b.text, citations: null }
      : { type: 'tool_use', id: b.id, name: b.name, input: b.input, caller: { type: 'direct' } }
  );
  return {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content,
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    stop_details: reply.stopDetails ?? null,
    container: null,
    usage: usage(meta, outputTokens(reply))
  };
}

/** Text in word groups of one to three words; the groups always concatenate back to `text`. */
export function chunkText(text: string, seed = hashString(text)): string[] {
  const random = seededRandom(seed);
  const words = text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
  const chunks: string[] = [];
  for (let i = 0; i < words.length;) {
    const n = 1 + Math.floor(random() * 3);
    chunks.push(words.slice(i, i + n).join(''));
    i += n;
  }
  return chunks;
}

function blockEvents(block: ReplyBlock, index: number): StreamEvent[] {
  const delta = (d: Record<string, unknown>): StreamEvent => ({
    event: 'content_block_delta',
    data: { type: 'content_block_delta', index, delta: d }
  });
  const start =
    block.type === 'text'
      ? { type: 'text', text: '' }
      : { type: 'tool_use', id: block.id, name: block.name, input: {}, caller: { type: 'direct' } };
  const deltas =
    block.type === 'text'
      ? chunkText(block.text).map((text) => delta({ type: 'text_delta', text }))
      : cutJson(block.partialJson ?? toWireJson(block.input)).map((partial_json) =>
          delta({ type: 'input_json_delta', partial_json })
        );
  return [
    { event: 'content_block_start', data: { type: 'content_block_start', index, content_block: start } },
    ...(index === 0 ? [{ event: 'ping', data: { type: 'ping' } }] : []),
    ...deltas,
    { event: 'content_block_stop', data: { type: 'content_block_stop', index } }
  ];
}

/** Every SSE event of a streamed reply, in the order the SDK's accumulator requires. */
export function streamEvents(reply: Reply, meta: MessageMeta): StreamEvent[] {
  const start = {
    ...messageBody({ ...reply, blocks: [] }, meta),
    stop_reason: null,
    stop_sequence: null,
    stop_details: null,
    usage: usage(meta, 1)
  };
  return [
    { event: 'message_start', data: { type: 'message_start', message: start } },
    ...reply.blocks.flatMap(blockEvents),
    {
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: {
          stop_reason: reply.stopReason,
          stop_sequence: reply.stopSequence,
          stop_details: reply.stopDetails ?? null
        },
        usage: { output_tokens: outputTokens(reply) }
      }
    },
    { event: 'message_stop', data: { type: 'message_stop' } }
  ];
}

/** The mid-stream error event: what a 529 (overloaded_error) or a 500 (api_error) would have been, had the stream not started. */
export function streamErrorEvent(type: 'overloaded_error' | 'api_error' = 'overloaded_error'): StreamEvent {
  const message = type === 'overloaded_error' ? 'Overloaded' : 'Internal server error';
  return { event: 'error', data: { type: 'error', error: { type, message } } };
}

/** The ping the API sends to keep a quiet stream alive. */
export const PING_EVENT: StreamEvent = { event: 'ping', data: { type: 'ping' } };
