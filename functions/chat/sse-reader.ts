/*
 * A reader of text/event-stream bodies (the relay's session stream), per the WHATWG parsing rules that matter here:
 * `event`, `data` (several lines joined with "\n") and `id` fields, comments, CRLF/LF/CR line ends, dispatch on a
 * blank line. `retry` is ignored: the chat does not reconnect.
 */

export interface SseFrame {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

async function* chunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Yields the frames of an SSE body (a fetch Response body) until it ends. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  /** One line; returns a frame when the line is the blank line that dispatches one. */
  const line = (text: string): SseFrame | undefined => {
    if (text === '') {
      const frame = data.length > 0 || event ? { event: event || 'message', data: data.join('\n'), id } : undefined;
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
    else if (field === 'id' && !value.includes('\0')) id = value;
    return undefined;
  };
  for await (const chunk of chunks(body)) {
    buffer += decoder.decode(chunk, { stream: true });
    let match: RegExpExecArray | null;
    // A trailing "\r" may be the first half of "\r\n": it waits for more input (or the end of the body).
    while ((match = /\r\n|\n|\r(?!$)/.exec(buffer))) {
      const frame = line(buffer.slice(0, match.index));
      buffer = buffer.slice(match.index + match[0].length);
      if (frame) yield frame;
    }
  }
  if (buffer.endsWith('\r')) {
    const frame = line(buffer.slice(0, -1));
    if (frame) yield frame;
  }
}
