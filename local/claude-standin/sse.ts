/*
 * Server-sent event framing exactly as the SDK's parser needs it: an `event:` line (frames without one are dropped),
 * one `data:` line of JSON, and a blank line after every frame, the last one included.
 */

/** One SSE frame. Throws if the event name could break the framing. */
export function sseFrame(event: string, data: unknown): string {
  if (/[\r\n]/.test(event)) throw new Error(`SSE event names must not contain CR or LF: ${JSON.stringify(event)}`);
  // JSON.stringify escapes every CR and LF inside strings, so the payload always fits on one data: line.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
