import { describe, expect, it } from 'vitest';
import { chunkText, messageBody, streamEvents } from '../../../../local/claude-standin/events.js';
import { sseFrame } from '../../../../shared/sse/frame.js';
import type { Reply } from '../../../../local/claude-standin/wire.js';

const meta = { id: 'msg_01Test', model: 'claude-sonnet-5', inputTokens: 25 };
const toolReply: Reply = {
  blocks: [
    { type: 'text', text: 'Let me check that with get_weather.' },
    { type: 'tool_use', id: 'toolu_01Test', name: 'get_weather', input: { city: 'Paris' } }
  ],
  stopReason: 'tool_use',
  stopSequence: null
};

describe('SSE framing and event order (local/claude-standin/sse, events)', () => {
  it('frames an event as event line, one data line, blank line', () => {
    // Act
    const frame = sseFrame({
      event: 'content_block_delta',
      data: { type: 'content_block_delta', delta: { text: 'a\nb\r\nc' } }
    });
    // Assess
    expect(frame).toBe(
      'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"a\\nb\\r\\nc"}}\n\n'
    );
    expect(frame.split('\n')).toHaveLength(4);
  });

  it('refuses an event name that would break the framing', () => {
    // Act
    const act = (): string => sseFrame({ event: 'message_stop\ndata: x', data: {} });
    // Assess
    expect(act).toThrow(/CR or LF/);
  });

  it('emits the order the SDK requires: start, blocks in index order, ping, delta with usage, stop', () => {
    // Act
    const events = streamEvents(toolReply, meta);
    const names = events.map((e) => e.event);
    // Assess
    expect(names[0]).toBe('message_start');
    expect(names.slice(1, 3)).toEqual(['content_block_start', 'ping']);
    expect(names.slice(-2)).toEqual(['message_delta', 'message_stop']);
    const starts = events.filter((e) => e.event === 'content_block_start').map((e) => e.data.index);
    const stops = events.filter((e) => e.event === 'content_block_stop').map((e) => e.data.index);
    expect(starts).toEqual([0, 1]);
    expect(stops).toEqual([0, 1]);
    expect(names.indexOf('content_block_stop')).toBeLessThan(names.lastIndexOf('content_block_start'));
    for (const e of events) expect(e.data.type).toBe(e.event);
  });

  it('starts the message with empty content and usage, and ends it with stop_reason and output tokens', () => {
    // Act
    const events = streamEvents(toolReply, meta);
    const start = events[0]!.data.message as Record<string, unknown>;
    const delta = events.at(-2)!.data;
    // Assess
    expect(start).toMatchObject({ id: 'msg_01Test', role: 'assistant', content: [], stop_reason: null });
    expect(start.usage).toMatchObject({ input_tokens: 25, output_tokens: 1 });
    expect(delta.delta).toEqual({ stop_reason: 'tool_use', stop_sequence: null, stop_details: null });
    expect((delta.usage as { output_tokens: number }).output_tokens).toBeGreaterThan(1);
  });

  it('streams the tool input as input_json_delta fragments that rebuild the input', () => {
    // Act
    const events = streamEvents(toolReply, meta);
    const fragments = events
      .filter((e) => e.event === 'content_block_delta' && e.data.index === 1)
      .map((e) => (e.data.delta as { partial_json: string }).partial_json);
    const toolStart = events.find((e) => e.event === 'content_block_start' && e.data.index === 1)!;
    // Assess
    expect(toolStart.data.content_block).toEqual({
      type: 'tool_use',
      id: 'toolu_01Test',
      name: 'get_weather',
      input: {},
      caller: { type: 'direct' }
    });
    expect(fragments.length).toBeGreaterThan(2);
    expect(JSON.parse(fragments.join(''))).toEqual({ city: 'Paris' });
  });

  it('streams text in several word groups that rebuild the text', () => {
    // Prepare
    const text = '  You asked: "how are the pods doing?". This answer comes from the local stand-in.  ';
    // Act
    const chunks = chunkText(text);
    // Assess
    expect(chunks.join('')).toBe(text);
    expect(chunks.length).toBeGreaterThan(4);
    for (const c of chunks) expect(c.trim().split(/\s+/).length).toBeLessThanOrEqual(3);
  });

  it('serialises a non-streaming Message with citations on text and caller on tool_use', () => {
    // Act
    const body = messageBody(toolReply, meta);
    // Assess
    expect(body).toMatchObject({
      type: 'message',
      stop_reason: 'tool_use',
      content: [
        { type: 'text', text: 'Let me check that with get_weather.', citations: null },
        { type: 'tool_use', id: 'toolu_01Test', input: { city: 'Paris' }, caller: { type: 'direct' } }
      ]
    });
  });
});
