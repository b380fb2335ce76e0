import { CommandFailedError } from '../io.js';
import { readSse, type SseFrame, type SseState } from '../../shared/sse/reader.js';

/*
 * Follows the relay's operator stream for as long as the caller wants, across every cut: Knative ends a request at
 * its timeoutSeconds, pods restart, networks drop. Each reconnect sends Last-Event-ID, so the relay resumes exactly
 * after the last event seen (or says `resync` when its buffer no longer holds them). A refused token or a bad query
 * is final; anything else is retried with a growing pause.
 */

export interface FollowOptions {
  /** The stream URL, query included (operator=1, history, session). */
  url: string;
  token: string;
  fetch?: typeof fetch;
  signal: AbortSignal;
  onFrame(frame: SseFrame): void;
  /** Connection news for the operator (stderr). */
  onStatus(message: string): void;
  maxBackoffMs?: number;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const m = (JSON.parse(text) as { error?: { message?: string } }).error?.message;
    if (m) return m;
  } catch {
    // plain text
  }
  return text.slice(0, 200) || res.statusText;
}

/** Resolves when `signal` aborts; rejects with CommandFailedError on a 400/401/403/404 answer. */
export async function follow(opts: FollowOptions): Promise<void> {
  const doFetch = opts.fetch ?? fetch;
  const state: SseState = { lastEventId: undefined, retryMs: undefined };
  let failures = 0;
  while (!opts.signal.aborted) {
    const headers: Record<string, string> = { accept: 'text/event-stream', authorization: `Bearer ${opts.token}` };
    if (state.lastEventId !== undefined) headers['last-event-id'] = state.lastEventId;
    let reason: string;
    try {
      const res = await doFetch(opts.url, { headers, signal: opts.signal });
      if (res.status === 200 && res.body) {
        failures = 0;
        for await (const frame of readSse(res.body, state)) opts.onFrame(frame);
        reason = 'the relay ended the stream';
      } else if ([400, 401, 403, 404].includes(res.status)) {
        throw new CommandFailedError(
          `the relay at ${new URL(opts.url).origin} answered ${res.status}: ${await errorMessage(res)}`
        );
      } else {
        reason = `the relay answered ${res.status}: ${await errorMessage(res)}`;
        failures++;
      }
    } catch (err) {
      if (err instanceof CommandFailedError) throw err;
      if (opts.signal.aborted) return;
      const cause = (err as { cause?: { code?: string } }).cause;
      reason = `the relay is unreachable (${cause?.code ?? (err as Error).message})`;
      failures++;
    }
    if (opts.signal.aborted) return;
    // A stream cut after events flowed resumes at once (the relay's retry hint); repeated failures back off.
    const wait =
      failures === 0 ? (state.retryMs ?? 1000) : Math.min(opts.maxBackoffMs ?? 10_000, 500 * 2 ** Math.min(failures, 5));
    opts.onStatus(
      `${reason}; reconnecting in ${(wait / 1000).toFixed(1)} s${state.lastEventId !== undefined ? ` (resuming after event ${state.lastEventId})` : ''}`
    );
    await sleep(wait, opts.signal);
  }
}
