import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Session tokens: the chat issues `HMAC-SHA256(secret, "session:" + sessionId)` with a session, and the relay
 * recomputes it. Holding the token for one session proves nothing about any other, so no browser can read another
 * session's healing events. Tokens carry no expiry: a session id is an unguessable random value, and rotating the
 * secret revokes all tokens at once.
 */

const SESSION_ID = /^[A-Za-z0-9_-]{8,128}$/;

/** True for a session id the chat could have issued (and that is safe in logs and headers). */
export function isSessionId(id: string): boolean {
  return SESSION_ID.test(id);
}

/**
 * @example
 * const token = sessionToken(config.sessionSecret!, sessionId);
 */
export function sessionToken(secret: string, sessionId: string): string {
  return createHmac('sha256', secret).update(`session:${sessionId}`).digest('base64url');
}

/** Constant-time check of a session token. */
export function verifySessionToken(secret: string, sessionId: string, token: string | undefined): boolean {
  if (!token || !isSessionId(sessionId)) return false;
  const expected = Buffer.from(sessionToken(secret, sessionId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Constant-time comparison of an operator token with the configured one. */
export function verifyOperatorToken(configured: string | undefined, given: string | undefined): boolean {
  if (!configured || !given) return false;
  const a = Buffer.from(configured);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
