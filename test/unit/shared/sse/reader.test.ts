import { describe, expect, it } from 'vitest';
import { readSse, type SseFrame } from '../../../../shared/sse/reader.js';

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

describe('SSE reader (shared/sse)', () => {
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

describe('SSE reader: state across frames and connections', () => {
  it('keeps the last event id across frames without one, and reads retry, as EventSource does', async () => {
    // Prepare
    const state = { lastEventId: undefined as string | undefined, retryMs: undefined as number | undefined };
    const body = new Response('retry: 1500\nid: 7\nevent: a\ndata: 1\n\nevent: b\ndata: 2\n\n: comment\nid: 9\ndata: 3\n\n')
      .body!;
    // Act
    const frames = [];
    for await (const f of readSse(body, state)) frames.push(f);
    // Assess
    expect(frames.map((f) => [f.event, f.data, f.id])).toEqual([
      ['a', '1', '7'],
      ['b', '2', '7'],
      ['message', '3', '9']
    ]);
    expect(state).toEqual({ lastEventId: '9', retryMs: 1500 });
  });
});
