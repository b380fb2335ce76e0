import express, { type Router } from 'express';
import * as z from 'zod';
import { sameOriginJson } from '../../shared/runtime/browser-writes.js';
import { PayloadTooLargeError, RequestError } from '../../shared/runtime/errors.js';
import type { ChatService } from './service.js';

/*
 * The chat's HTTP face. `POST /chat/sessions` issues a session and its token; `POST /chat` validates the message and
 * answers with an SSE stream. Every refusal is a JSON error body from the runtime's error handler: 400 (malformed
 * JSON, no or empty message), 401 (wrong token), 403 (another site's origin), 409 (session busy), 413 (too large),
 * 415 (not application/json), 503 (sessions unreachable).
 */

const ChatRequestSchema = z.object({
  message: z.string({ error: '"message" must be a string' }),
  sessionId: z.string().optional(),
  token: z.string().optional()
});

export interface ChatRequest {
  message: string;
  sessionId: string | undefined;
  token: string | undefined;
}

/** Room for the JSON around the message (keys, session id, token) in the body limit. */
const ENVELOPE_BYTES = 4 * 1024;
/** A JSON-escaped character takes at most 6 bytes (`\u00e9`): the body limit must let every valid message through. */
const MAX_ESCAPE = 6;

/**
 * Validates a parsed `POST /chat` body; the token may come in the body or the `x-cortex-session-token` header.
 * Throws RequestError (400) or PayloadTooLargeError (413).
 */
export function parseChatRequest(body: unknown, headerToken: string | undefined, maxMessageBytes: number): ChatRequest {
  const parsed = ChatRequestSchema.safeParse(body ?? {});
  if (!parsed.success) throw new RequestError(400, 'invalid_request', z.prettifyError(parsed.error));
  const { message, sessionId } = parsed.data;
  if (message.trim() === '') throw new RequestError(400, 'empty_message', 'the message is empty');
  const bytes = Buffer.byteLength(message, 'utf8');
  if (bytes > maxMessageBytes) {
    throw new PayloadTooLargeError(`the message has ${bytes} bytes; at most ${maxMessageBytes} are accepted`);
  }
  return { message, sessionId, token: parsed.data.token ?? headerToken };
}

export function mountChatRoutes(
  router: Router,
  chat: ChatService,
  opts: { maxMessageBytes: number; allowedOrigins: readonly string[] }
): void {
  // No other site may start sessions or chat turns (each one spends Claude calls): its own origin only, JSON only.
  router.post('/chat/sessions', sameOriginJson(opts.allowedOrigins, { body: false }), async (_req, res) => {
    res.status(201).json(await chat.createSession());
  });
  const json = express.json({ limit: opts.maxMessageBytes * MAX_ESCAPE + ENVELOPE_BYTES });
  router.post('/chat', sameOriginJson(opts.allowedOrigins), json, async (req, res) => {
    const { message, sessionId, token } = parseChatRequest(
      req.body,
      req.get('x-cortex-session-token'),
      opts.maxMessageBytes
    );
    await chat.answer(await chat.resolve(sessionId, token), message, res);
  });
}
