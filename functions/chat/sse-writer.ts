import type { Response } from 'express';
import { sseComment, sseFrame, startSse } from '../../shared/sse/frame.js';

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
  startSse(res);
  const closed = new AbortController();
  let id = 0;
  const heartbeat =
    opts.heartbeatMs > 0 ? setInterval(() => res.write(sseComment('keep-alive')), opts.heartbeatMs) : undefined;
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
      const frame = sseFrame({ event, id: id + 1, data });
      if (closed.signal.aborted || res.writableEnded) return false;
      id++;
      res.write(frame);
      return true;
    },
    end() {
      close();
      if (!res.writableEnded) res.end();
    }
  };
}
