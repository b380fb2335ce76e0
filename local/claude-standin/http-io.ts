import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorBody, ERROR_STATUS, type ApiErrorType } from './errors.js';

/* Small node:http helpers: body reading with a limit, JSON and error replies, writes that respect backpressure. */

/** The Messages API's request size limit. */
export const BODY_LIMIT_BYTES = 32 * 1024 * 1024;

/** The body as text, or undefined when it exceeded `limit` (the rest is drained, not buffered). */
export async function readBody(req: IncomingMessage, limit = BODY_LIMIT_BYTES): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? undefined : Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The API's error response: its status, `content-type: application/json`, the exact error body. */
export function sendApiError(
  res: ServerResponse,
  type: ApiErrorType,
  message: string,
  requestId: string,
  headers: Record<string, string> = {}
): void {
  sendJson(res, ERROR_STATUS[type], errorBody(type, message, requestId), { ...headers, 'request-id': requestId });
}

/** Writes one chunk; resolves false when the client is gone. */
export async function write(res: ServerResponse, chunk: string, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || res.destroyed) return false;
  if (!res.write(chunk)) {
    try {
      await once(res, 'drain', { signal });
    } catch {
      return false;
    }
  }
  return !signal.aborted;
}

/** Waits `ms`; resolves false if `signal` fired first (client gone or server stopping). */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !signal.aborted;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
