import { describe, expect, it } from 'vitest';
import { readSse, type SseFrame } from '../../../../functions/chat/sse-reader.js';

const body = (...chunks: string[]): ReadableStream<Uint8Array> => {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    }
  });
};

async function frames(stream: ReadableStream<Uint8Array>): Promise<SseFrame[]> {
  const out: SseFrame[] = [];
  for await (const f of readSse(stream)) out.push(f);
  return out;
}

describe('Function: chat SSE reader (the relay stream)', () => {
  it('reads events, ids, multi-line data and skips comments and retry', async () => {
    // Prepare
    const stream = body(
      'retry: 2000\n\n: heartbeat\n\nid: 7\nevent: connected\ndata: {"a":1}\n\n',
      'event: x\ndata: line1\ndata: line2\n\n'
    );
    // Act
    const got = await frames(stream);
    // Assess
    expect(got).toEqual([
      { event: 'connected', data: '{"a":1}', id: '7' },
      { event: 'x', data: 'line1\nline2', id: '7' }
    ]);
  });

  it('handles CRLF and CR line ends split across chunks', async () => {
    // Prepare
    const stream = body(
      'id: 1\r',
      '\nevent: healing_start\r\ndata:{"b":2}\r',
      '\r',
      'id: 2\revent: healing_complete\rdata: {}\r\r'
    );
    // Act
    const got = await frames(stream);
    // Assess
    expect(got).toEqual([
      { event: 'healing_start', data: '{"b":2}', id: '1' },
      { event: 'healing_complete', data: '{}', id: '2' }
    ]);
  });

  it('drops a frame cut off before its blank line, and defaults the event name to message', async () => {
    // Prepare
    const stream = body('data: first\n\n', 'event: partial\ndata: never dispatched\n');
    // Act
    const got = await frames(stream);
    // Assess
    expect(got).toEqual([{ event: 'message', data: 'first', id: undefined }]);
  });
});
