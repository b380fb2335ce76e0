/*
 * A reader of text/event-stream bodies per the WHATWG rules the relay relies on: `event`, multi-line `data`, `id`
 * (kept across frames, as EventSource keeps its last event id), `retry`, comments, CRLF/LF/CR line ends.
 */

export interface SseFrame {
  readonly event: string;
  readonly data: string;
  /** The last event id seen so far (what a reconnect sends as Last-Event-ID). */
  readonly id: string | undefined;
}

export interface SseState {
  lastEventId: string | undefined;
  retryMs: number | undefined;
}

/** Yields the frames of an SSE body until it ends; `state` follows the last id and retry. */
export async function* readFrames(body: ReadableStream<Uint8Array>, state: SseState): AsyncGenerator<SseFrame> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  let event = '';
  let data: string[] = [];
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
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let m: RegExpExecArray | null;
      // A trailing "\r" may be the first half of "\r\n": it waits for more input.
      while ((m = /\r\n|\n|\r(?!$)/.exec(buffer))) {
        const frame = line(buffer.slice(0, m.index));
        buffer = buffer.slice(m.index + m[0].length);
        if (frame) yield frame;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
