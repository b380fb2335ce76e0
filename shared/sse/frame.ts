import type { ServerResponse } from 'node:http';

/*
 * Server-Sent Events framing (WHATWG HTML §9.2), the one writer of text/event-stream in Cortex: the relay's streams,
 * the chat's answer stream and the Claude stand-in's message stream. Data may hold newlines: each line becomes its own `data:` line and
 * the browser joins them back with "\n". `event` and `id` are single-line fields; a CR or LF there would let the value
 * end the field early and inject another, so it is refused outright rather than escaped.
 */

export interface SseFrame {
  readonly event?: string;
  readonly id?: string | number;
  /** Text as is; anything else is JSON-encoded. */
  readonly data: unknown;
}

const LINE_BREAK = /\r\n|\r|\n/;

function field(name: 'event' | 'id', value: string): string {
  if (/[\r\n]/.test(value)) throw new TypeError(`SSE ${name} must not contain CR or LF: ${JSON.stringify(value)}`);
  // A NUL in an id makes browsers ignore the field; refuse it too, so every frame really carries its id.
  if (name === 'id' && value.includes('\0')) throw new TypeError('SSE id must not contain NUL');
  return `${name}: ${value}\n`;
}

/**
 * One event as wire text, ending with the blank line that dispatches it.
 *
 * @example
 * sseFrame({ event: 'healing_start', id: 7, data: { healingId: 'h-1' } }); // → 'event: healing_start\nid: 7\ndata: {"healingId":"h-1"}\n\n'
 */
export function sseFrame(frame: SseFrame): string {
  let out = '';
  if (frame.event !== undefined) out += field('event', frame.event);
  if (frame.id !== undefined) out += field('id', String(frame.id));
  const text = typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data);
  for (const line of (text ?? '').split(LINE_BREAK)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/**
 * A comment line: ignored by clients, keeps idle connections (and proxies) alive.
 *
 * @example
 * res.write(sseComment('keep-alive')); // ': keep-alive\n\n'
 */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/**
 * The reconnection delay the client should use, in milliseconds.
 *
 * @example
 * sseRetry(1000); // 'retry: 1000\n\n'
 */
export function sseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`;
}

/** The response headers of every stream: `no-transform` keeps compression (ours or a proxy's) from buffering it. */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-store, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no'
});

/**
 * Starts a stream: status 200, the SSE headers (plus `extra`) flushed at once, Nagle off so each frame leaves now.
 *
 * @example
 * startSse(res); res.write(sseFrame({ event: 'connected', data: {} }));
 */
export function startSse(res: ServerResponse, extra: Record<string, string> = {}): void {
  res.writeHead(200, { ...SSE_HEADERS, ...extra });
  res.flushHeaders();
  res.socket?.setNoDelay(true);
}
