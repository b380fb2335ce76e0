import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function base62(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i % bytes.length]! % ALPHABET.length];
  return out;
}

/** A fresh `req_…` id: every response gets its own, like the real API's `request-id` header. */
export function newRequestId(): string {
  return `req_011C${base62(randomBytes(24), 20)}`;
}

/**
 * A stable id derived from the conversation: the same request gives the same `msg_…`/`toolu_…` ids, so answers are
 * deterministic, while different turns of one conversation never collide.
 */
export function derivedId(prefix: 'msg' | 'toolu', ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return `${prefix}_01${base62(digest, 22)}`;
}
