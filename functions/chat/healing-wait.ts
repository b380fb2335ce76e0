import type { Logger } from '../../shared/runtime/logging.js';
import { compareEventIds, isEventId } from '../../shared/sse/event-id.js';
import { readSse } from '../../shared/sse/reader.js';

/*
 * Waiting for a healing through the relay's session stream (`GET /events?session&token`). The stream is opened
 * BEFORE the failure is reported, so no event of the healing it starts can be missed; ids up to the `connected`
 * event's lastEventId are older history and ignored. A stream that ends is resumed with Last-Event-ID (on any relay
 * replica) a few times before the wait gives up on the relay. Every new healing event of the session is handed on (the chat
 * streams it to the user); the wait ends at the first healing_complete/healing_failed for our target, or at the
 * deadline. `processing_delay` frames are the chat's own delays coming back: the chat already streamed them.
 */

export const HEALING_EVENTS = ['healing_start', 'healing_progress', 'healing_complete', 'healing_failed'] as const;
export type HealingEventName = (typeof HEALING_EVENTS)[number];

export type HealingOutcome =
  | { kind: 'complete'; data: Record<string, unknown> }
  | { kind: 'failed'; data: Record<string, unknown> }
  | { kind: 'timeout'; waitedMs: number }
  /** The relay stream ended or failed before an outcome. */
  | { kind: 'unavailable'; reason: string };

export interface HealingWatch {
  /** Resolves with the first outcome for the target, or `timeout` after `waitMs`. */
  outcome(waitMs: number): Promise<HealingOutcome>;
  close(): void;
}

export interface WatchOptions {
  relayUrl: string;
  sessionId: string;
  token: string;
  target: { namespace: string; service: string };
  fetch: typeof globalThis.fetch;
  log: Logger;
  /** How long to wait for the relay's `connected` event. */
  connectTimeoutMs: number;
  onEvent(event: HealingEventName, data: Record<string, unknown>): void;
  signal: AbortSignal;
}

/** How often a stream that ended is resumed before the wait reports the relay unavailable, and the first delay. */
const RESUME_ATTEMPTS = 3;
const RESUME_DELAY_MS = 250;

const isHealingEvent = (e: string): e is HealingEventName => (HEALING_EVENTS as readonly string[]).includes(e);

/** A later id than `after`? Relay ids are stream entry ids (`<ms>-<seq>`); anything else counts as new. */
function isNewer(id: string | undefined, after: string | undefined): boolean {
  if (!isEventId(id) || !isEventId(after)) return true;
  return compareEventIds(id, after) > 0;
}

function forTarget(data: Record<string, unknown>, target: WatchOptions['target']): boolean {
  const t = data.target as { namespace?: unknown; service?: unknown } | undefined;
  return !t || (t.namespace === target.namespace && t.service === target.service);
}

/**
 * Opens the session stream and resolves once the relay said `connected`; rejects if it cannot (wrong URL, 401, 429,
 * no `connected` in time).
 *
 * @example
 * const watch = await watchHealing({ relayUrl, sessionId, token, target, fetch, log, connectTimeoutMs: 5000, onEvent, signal });
 * await publishReport();
 * const outcome = await watch.outcome(60_000);
 */
export async function watchHealing(opts: WatchOptions): Promise<HealingWatch> {
  const abort = new AbortController();
  const onAbort = (): void => abort.abort();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  const close = (): void => {
    opts.signal.removeEventListener('abort', onAbort);
    abort.abort();
  };

  const url = new URL('/events', opts.relayUrl);
  url.searchParams.set('session', opts.sessionId);
  url.searchParams.set('token', opts.token);
  let settle!: (o: HealingOutcome) => void;
  const settled = new Promise<HealingOutcome>((resolve) => (settle = resolve));
  let connected!: () => void;
  let failed!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => ((connected = resolve), (failed = reject)));
  const connectTimer = setTimeout(
    () => failed(new Error(`the relay sent no "connected" within ${opts.connectTimeoutMs} ms`)),
    opts.connectTimeoutMs
  );

  let after: string | undefined;
  let lastId: string | undefined;
  let isConnected = false;
  /** Reads one stream to its end; the first `connected` marks what is history. */
  const read = async (): Promise<void> => {
    const headers: Record<string, string> = { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) };
    const res = await opts.fetch(url, { headers, signal: abort.signal });
    if (!res.ok || !res.body) throw new Error(`the relay answered ${res.status} to the session stream`);
    for await (const frame of readSse(res.body)) {
      if (frame.id !== undefined && frame.event !== 'connected') lastId = frame.id;
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(frame.data) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (frame.event === 'connected') {
        // Only the first stream has history to skip; a resumed one starts after the last id it saw.
        if (!isConnected) {
          after = data.lastEventId === undefined || data.lastEventId === null ? undefined : String(data.lastEventId);
          lastId = after;
        }
        isConnected = true;
        connected();
        continue;
      }
      if (!isConnected || !isHealingEvent(frame.event) || !isNewer(frame.id, after)) continue;
      opts.onEvent(frame.event, data);
      if (frame.event === 'healing_complete' && forTarget(data, opts.target)) settle({ kind: 'complete', data });
      if (frame.event === 'healing_failed' && forTarget(data, opts.target)) settle({ kind: 'failed', data });
    }
    throw new Error('the relay closed the session stream');
  };
  // A relay replica that goes away (a rollout, a crash, Knative's request timeout) ends the stream: resume with
  // Last-Event-ID, on whichever replica answers, a few times before giving up.
  const pump = async (): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await read();
      } catch (err) {
        if (abort.signal.aborted || !isConnected || attempt >= RESUME_ATTEMPTS) throw err;
        opts.log.debug({ err: (err as Error).message, attempt }, 'relay session stream ended: resuming');
      }
      await new Promise((r) => setTimeout(r, RESUME_DELAY_MS * 2 ** attempt));
    }
  };
  let outcomeSettled = false;
  void settled.then(() => (outcomeSettled = true));
  pump().catch((err: Error) => {
    failed(err);
    if (!abort.signal.aborted && !outcomeSettled) opts.log.warn({ err: err.message }, 'relay session stream ended');
    settle({ kind: 'unavailable', reason: err.message });
  });

  try {
    await ready;
  } catch (err) {
    close();
    throw err;
  } finally {
    clearTimeout(connectTimer);
  }

  return {
    async outcome(waitMs) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<HealingOutcome>(
        (resolve) => (timer = setTimeout(() => resolve({ kind: 'timeout', waitedMs: waitMs }), waitMs))
      );
      try {
        return await Promise.race([settled, deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    close
  };
}
