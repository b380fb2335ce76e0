/*
 * A reader of text/event-stream bodies (fetch Response bodies) per the WHATWG parsing rules that matter to our
 * clients (the chat following a healing, `cortex tail`): `event`, `data` (several lines joined with "\n"), `id` (kept
 * across frames, as EventSource keeps its last event id), `retry`, comments, CRLF/LF/CR line ends, dispatch on a
 * blank line.
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
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  /** One line; returns a frame when the line is the blank line that dispatches one. */
  const line = (text: string): SseFrame | undefined => {
    if (text === '') {
      const frame =
        data.length > 0 ? { event: event || 'message', data: data.join('\n'), id: state.lastEventId } : undefined;
      event = '';
      data = [];
      return frame;
    }
    if (text.startsWith(':')) return undefined;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) state.lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) state.retryMs = Number(value);
    return undefined;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let m: RegExpExecArray | null;
      // A trailing "\r" may be the first half of "\r\n": it waits for more input (or the end of the body).
      while ((m = /\r\n|\n|\r(?!$)/.exec(buffer))) {
        const frame = line(buffer.slice(0, m.index));
        buffer = buffer.slice(m.index + m[0].length);
        if (frame) yield frame;
      }
    }
    if (buffer.endsWith('\r')) {
      const frame = line(buffer.slice(0, -1));
      if (frame) yield frame;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
