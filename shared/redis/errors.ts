import { CortexError, UnavailableError } from '../runtime/errors.js';

/*
 * What a failed Redis command means for the broker. Redis away (connection refused or lost, the offline queue off,
 * retries used up, a command timeout) and the replies Redis gives while it cannot serve (loading its append-only
 * file, a busy script, a read-only replica, out of memory) are transient: 503, retried with back-off, and nothing is
 * acknowledged. Any other error reply is a bug of ours (a broken script, a wrong type) and stays a 500.
 */

const TRANSIENT_REPLIES = /^(LOADING|BUSY|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|OOM|NOSCRIPT)\b/;

/**
 * Maps an error thrown by a Redis command to the error the runtime answers with.
 *
 * @example
 * try { await client.get(k); } catch (err) { throw unavailable(err, 'read the target state'); }
 */
export function unavailable(err: unknown, what: string): Error {
  if (err instanceof CortexError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  if (e.name === 'ReplyError' && !TRANSIENT_REPLIES.test(e.message)) return e;
  return new UnavailableError(`Redis unavailable (${what}): ${e.message}`, { cause: e });
}
