import type { Response } from 'express';

/*
 * The chat's answer stream (text/event-stream on a POST response). Every frame carries an `id:` (one counter per
 * stream) and one-line JSON data. Comments keep proxies from cutting the stream while a healing is awaited.
 */

export interface SseWriter {
  /** Sends one event; false (and nothing sent) once the stream is closed. */
  send(event: string, data: unknown): boolean;
  /** Aborted when the client goes away or the stream ends. */
  readonly signal: AbortSignal;
  readonly closed: boolean;
  end(): void;
}

/** Starts the stream: status 200, SSE headers flushed at once. */
export function openSse(res: Response, opts: { heartbeatMs: number }): SseWriter {
  res.status(200).set({
    'content-type': 'text/event-stream; charset=utf-8',
    // no-transform keeps compression middleware from buffering the stream.
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no'
  });
  res.flushHeaders();
  const closed = new AbortController();
  let id = 0;
  const heartbeat = opts.heartbeatMs > 0 ? setInterval(() => res.write(': keep-alive\n\n'), opts.heartbeatMs) : undefined;
  heartbeat?.unref();
  const close = (): void => {
    if (heartbeat) clearInterval(heartbeat);
    closed.abort();
  };
  res.on('close', close);

  return {
    signal: closed.signal,
    get closed() {
      return closed.signal.aborted || res.writableEnded;
    },
    send(event, data) {
      if (/[\r\n]/.test(event)) throw new Error('an SSE event name must not contain CR or LF');
      if (closed.signal.aborted || res.writableEnded) return false;
      // JSON.stringify escapes every newline, so the data fits on one `data:` line.
      res.write(`id: ${++id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      return true;
    },
    end() {
      close();
      if (!res.writableEnded) res.end();
    }
  };
}
