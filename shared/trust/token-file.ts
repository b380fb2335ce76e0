import { readFile } from 'node:fs/promises';
import { TransientError } from '../runtime/errors.js';

/*
 * The token a function sends its events with: the one its SinkBinding mounts (`/oidc/token`), renewed in place by
 * Eventing before it expires. It is read again at most every few seconds, so a renewed token is used soon after.
 */

/** Supplies the current token for an outgoing request. */
export type TokenSource = () => Promise<string>;

const REREAD_MS = 5_000;

/**
 * @example
 * const token = fileTokenSource('/oidc/token');
 * await fetch(sink, { headers: { authorization: `Bearer ${await token()}` }, … });
 */
export function fileTokenSource(file: string, now: () => number = Date.now): TokenSource {
  let cached: { token: string; at: number } | undefined;
  return async () => {
    if (cached && now() - cached.at < REREAD_MS) return cached.token;
    let token: string;
    try {
      token = (await readFile(file, 'utf8')).trim();
    } catch (err) {
      throw new TransientError(
        `no event token at ${file} (is the function's SinkBinding ready?): ${(err as Error).message}`,
        {
          cause: err
        }
      );
    }
    if (!token) throw new TransientError(`the event token file ${file} is empty`);
    cached = { token, at: now() };
    return token;
  };
}

/** The token source of a function's configuration: its SinkBinding's token with CORTEX_EVENT_AUTH=oidc, else none. */
export function eventTokenOf(security: { eventAuth: 'oidc' | 'off'; oidc: { tokenFile: string } }): TokenSource | undefined {
  return security.eventAuth === 'oidc' ? fileTokenSource(security.oidc.tokenFile) : undefined;
}
