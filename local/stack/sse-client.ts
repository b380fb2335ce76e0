/** One dispatched SSE event, as a browser's EventSource would see it. */
export interface SseMessage {
  event: string;
  id: string | undefined;
  data: string;
}

export interface SseParse {
  messages: SseMessage[];
  comments: string[];
  retry: number | undefined;
  /** An incomplete trailing block (a stream chunk may end mid-event). */
  rest: string;
}

/**
 * Parses SSE wire text per the WHATWG rules: fields, multi-line data joined with "\n", a blank line dispatches.
 * Only LF-terminated blocks count as complete (what the relay writes); CR and CRLF still split lines inside them.
 */
export function parseSse(text: string): SseParse {
  const out: SseParse = { messages: [], comments: [], retry: undefined, rest: '' };
  const lastBreak = text.lastIndexOf('\n\n');
  const complete = lastBreak < 0 ? '' : text.slice(0, lastBreak + 2);
  out.rest = lastBreak < 0 ? text : text.slice(lastBreak + 2);
  let event = '';
  let id: string | undefined;
  let data: string[] = [];
  for (const line of complete.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (data.length > 0) out.messages.push({ event: event || 'message', id, data: data.join('\n') });
      event = '';
      data = [];
      continue;
    }
    if (line.startsWith(':')) {
      out.comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'event') event = value;
    else if (name === 'data') data.push(value);
    else if (name === 'id') id = value;
    else if (name === 'retry') out.retry = Number(value);
  }
  return out;
}

/** An open SSE response read with fetch: everything received so far, and a way to wait for more. */
export interface SseClient {
  status: number;
  headers: Headers;
  /** The JSON error body when the status is not 200. */
  error: unknown;
  messages: SseMessage[];
  comments: string[];
  retry: number | undefined;
  /** Resolves once `predicate` holds for what was received (rejects after `safetyMs`, so a broken test fails instead of hanging). */
  until(predicate: (c: SseClient) => boolean, safetyMs?: number): Promise<void>;
  /** True once the server ended the stream. */
  ended: boolean;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const waiters: Array<() => void> = [];
  const client: SseClient = {
    status: res.status,
    headers: res.headers,
    error: undefined,
    messages: [],
    comments: [],
    retry: undefined,
    ended: false,
    until(predicate, safetyMs = 10_000) {
      if (predicate(client)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`SSE condition not met; got ${JSON.stringify(client.messages.map((m) => m.event))}`)),
          safetyMs
        );
        const check = (): void => {
          if (!predicate(client)) return void waiters.push(check);
          clearTimeout(timer);
          resolve();
        };
        waiters.push(check);
      });
    },
    close: () => abort.abort()
  };
  if (res.status !== 200) {
    client.error = await res.json().catch(() => undefined);
    return client;
  }
  const notify = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  void (async () => {
    const decoder = new TextDecoder();
    let pending = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const parsed = parseSse(pending + decoder.decode(chunk, { stream: true }));
        pending = parsed.rest;
        client.messages.push(...parsed.messages);
        client.comments.push(...parsed.comments);
        client.retry = parsed.retry ?? client.retry;
        notify();
      }
    } catch {
      // aborted by close()
    }
    client.ended = true;
    notify();
  })();
  return client;
}

/** The JSON data of every message of one event name. */
export const dataOf = <T = Record<string, unknown>>(messages: readonly SseMessage[], event: string): T[] =>
  messages.filter((m) => m.event === event).map((m) => JSON.parse(m.data) as T);
