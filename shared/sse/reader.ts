import { createParser } from 'eventsource-parser';

/*
 * A reader of text/event-stream bodies (fetch Response bodies) for our clients (the chat following a healing,
 * `cortex tail`). eventsource-parser does the WHATWG parsing (fields, multi-line data, comments, CR/LF/CRLF, dispatch
 * on a blank line); this keeps what a reconnecting client carries: the last event id, as EventSource keeps it across
 * frames, and the server's retry delay.
 */

export interface SseFrame {
  readonly event: string;
  readonly data: string;
  /** The last event id seen so far (what a reconnect sends as Last-Event-ID). */
  readonly id: string | undefined;
}

/** What a reconnecting client carries from one connection to the next. */
export interface SseState {
  lastEventId: string | undefined;
  retryMs: number | undefined;
}

/**
 * Yields the frames of an SSE body until it ends; `state` follows the last id and retry.
 *
 * @example
 * for await (const frame of readSse(res.body!)) if (frame.event === 'healing_complete') break;
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  state: SseState = { lastEventId: undefined, retryMs: undefined }
): AsyncGenerator<SseFrame> {
  const ready: SseFrame[] = [];
  const parser = createParser({
    onEvent(message) {
      if (message.id !== undefined) state.lastEventId = message.id;
      ready.push({ event: message.event || 'message', data: message.data, id: state.lastEventId });
    },
    onRetry: (ms) => void (state.retryMs = ms)
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    let last = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      if (text) {
        parser.feed(text);
        last = text;
      }
      yield* ready.splice(0);
    }
    // A body that ends on "\r" ended that line: the parser waits for a possible "\n", so give it one.
    if (last.endsWith('\r')) parser.feed('\n');
    yield* ready.splice(0);
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
