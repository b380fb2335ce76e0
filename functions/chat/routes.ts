import express, { type Router } from 'express';
import { z } from 'zod';
import { PayloadTooLargeError, RequestError } from '../../shared/runtime/errors.js';
import type { ChatService } from './service.js';

/*
 * The chat's HTTP face. `POST /chat/sessions` issues a session and its token; `POST /chat` validates the message and
 * answers with an SSE stream. Every refusal is a JSON error body from the runtime's error handler: 400 (malformed
 * JSON, no or empty message), 401 (wrong token), 409 (session busy), 413 (too large).
 */

const ChatRequest = z.object({
  message: z.string({ error: '"message" must be a string' }),
  sessionId: z.string().optional(),
  token: z.string().optional()
});

/** Room for the JSON around the message (keys, session id, token) in the body limit. */
const ENVELOPE_BYTES = 4 * 1024;

export function mountChatRoutes(router: Router, chat: ChatService, opts: { maxMessageBytes: number }): void {
  router.post('/chat/sessions', (_req, res) => void res.status(201).json(chat.createSession()));

  // JSON whatever the content type says: a browser's fetch without headers still works.
  const json = express.json({ limit: opts.maxMessageBytes * 6 + ENVELOPE_BYTES, type: () => true });
  router.post('/chat', json, async (req, res) => {
    const parsed = ChatRequest.safeParse(req.body ?? {});
    if (!parsed.success) throw new RequestError(400, 'invalid_request', z.prettifyError(parsed.error));
    const { message, sessionId } = parsed.data;
    if (message.trim() === '') throw new RequestError(400, 'empty_message', 'the message is empty');
    const bytes = Buffer.byteLength(message, 'utf8');
    if (bytes > opts.maxMessageBytes) {
      throw new PayloadTooLargeError(`the message has ${bytes} bytes; at most ${opts.maxMessageBytes} are accepted`);
    }
    const token = parsed.data.token ?? req.get('x-cortex-session-token');
    const session = chat.resolve(sessionId, token);
    await chat.answer(session, message, res);
  });
}
