import { createParser } from 'eventsource-parser';

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
}

/** A parser (eventsource-parser) that appends what it reads to `into`; ids persist across messages, as in EventSource. */
function collector(into: SseParse): (text: string) => void {
  let lastId: string | undefined;
  const parser = createParser({
    onEvent(m) {
      if (m.id !== undefined) lastId = m.id;
      into.messages.push({ event: m.event || 'message', id: lastId, data: m.data });
    },
    onComment: (c) => void into.comments.push(c.trim()),
    onRetry: (ms) => void (into.retry = ms)
  });
  return (text) => parser.feed(text);
}

/**
 * Parses SSE wire text: messages (multi-line data joined with "\n", dispatched on a blank line), comments and the
 * retry delay. A trailing block without its blank line is not a message yet.
 *
 * @example
 * parseSse('event: connected\nid: 1\ndata: {}\n\n').messages; // → [{ event: 'connected', id: '1', data: '{}' }]
 */
export function parseSse(text: string): SseParse {
  const out: SseParse = { messages: [], comments: [], retry: undefined };
  collector(out)(text);
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
    const feed = collector(client);
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        feed(decoder.decode(chunk, { stream: true }));
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
