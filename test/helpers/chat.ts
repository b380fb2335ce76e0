import { readSse } from '../../shared/sse/reader.js';

/** One event of the chat's answer stream, data parsed. */
export interface ChatEvent {
  event: string;
  id: string | undefined;
  data: Record<string, unknown>;
}

/** The answer to `POST /chat`: the status, the JSON error body of a refusal, or every SSE event of the stream. */
export interface ChatReply {
  status: number;
  contentType: string;
  events: ChatEvent[];
  error?: { code: string; message: string };
}

/**
 * Posts a message to the chat and reads the whole stream; `onEvent` sees each event as it arrives, so a test can act
 * in the middle of an answer (restart a server, push a healing event).
 */
export async function postChat(
  baseUrl: string,
  body: unknown,
  opts: { headers?: Record<string, string>; raw?: string; onEvent?: (e: ChatEvent) => void | Promise<void> } = {}
): Promise<ChatReply> {
  const res = await fetch(`${baseUrl}/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: opts.raw ?? JSON.stringify(body)
  });
  const contentType = res.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/event-stream')) {
    const json = (await res.json()) as { error: { code: string; message: string } };
    return { status: res.status, contentType, events: [], error: json.error };
  }
  const events: ChatEvent[] = [];
  for await (const f of readSse(res.body!)) {
    const e = { event: f.event, id: f.id, data: JSON.parse(f.data) as Record<string, unknown> };
    events.push(e);
    await opts.onEvent?.(e);
  }
  return { status: res.status, contentType, events };
}

/** The event names of a reply, in order. */
export const names = (reply: ChatReply): string[] => reply.events.map((e) => e.event);

/** The first event of a kind. */
export function first(reply: ChatReply, event: string): ChatEvent['data'] {
  const found = reply.events.find((e) => e.event === event);
  if (!found) throw new Error(`no ${event} event in ${names(reply).join(', ')}`);
  return found.data;
}

/** The text of a message's content as sent to Claude: a string, or its text blocks joined (cache markers aside). */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.flatMap((b: { type?: string; text?: string }) => (b.type === 'text' ? [b.text ?? ''] : [])).join('\n');
}
