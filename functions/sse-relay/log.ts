import { compareEventIds, eventIdBefore, isEventId } from '../../shared/sse/event-id.js';

/*
 * The relay's state port (DESIGN §7, §11): append-only logs of SSE frames, one per chat session and one for operators,
 * each capped, the session logs expiring when idle. Two stores keep it: in process memory (one replica) and Redis
 * Streams (any number of replicas, each serving its own clients from the same logs). The id of an entry is its SSE
 * `id:`, a stream entry id (`<ms>-<seq>`), so `Last-Event-ID` resumes on any replica.
 *
 * The port has two sides, so the Trigger-facing ingest and the browser-facing stream server can run apart:
 * `LogWriter` appends what one event becomes; `LogReader` tells where a stream starts and follows a log from there.
 */

/** A frame as the log keeps it: the SSE event name and its data, JSON-encoded once, when the event arrived. */
export interface StoredFrame {
  readonly event: string;
  readonly data: string;
}

export interface LogEntry extends StoredFrame {
  /** The entry id, sent as the frame's SSE `id:`. */
  readonly id: string;
  /** Operator log only: the sessions the event names itself, and its healing, for a stream filtered on a session. */
  readonly named?: readonly string[];
  readonly healingId?: string;
}

/** Which log: the operator log, or one chat session's. */
export type LogKey = 'operator' | `session:${string}`;

export const sessionLog = (session: string): LogKey => `session:${session}`;

/** What one received event becomes: its operator frame and the session frames, each with the sessions it goes to. */
export interface Append {
  /** The event's identity (source, id, dead-letter destination): appending it again changes nothing. */
  readonly key: string;
  readonly operator: StoredFrame & { readonly named: readonly string[]; readonly healingId: string | undefined };
  /** In order; every session gets the frames listed for it in this order. */
  readonly frames: ReadonlyArray<StoredFrame & { readonly to: readonly string[] }>;
}

export interface LogWriter {
  /** Appends atomically; false when this event was appended before (a redelivery). */
  append(append: Append): Promise<boolean>;
}

/** What a log knows about itself when a stream opens. Ids are absent when the log is empty or unknown. */
export interface LogInfo {
  /** The oldest entry still kept. */
  readonly first?: string;
  /** The last id handed out. */
  readonly last?: string;
  /** At or above every id no longer kept (trimmed by the cap): a reader that last saw an id below it missed some. */
  readonly trimmed?: string;
  /** The oldest of the last `tail` entries, when asked for. */
  readonly tailFirst?: string;
}

/** Called as methods of the object given to `follow` (a hub's stream is its own handler). */
export interface FollowHandlers {
  /** Entries after the position, in order, each once: first what is kept, then what is appended. */
  entries(batch: readonly LogEntry[]): void;
  /** The log cannot be followed any more (Redis went away): the stream ends and the client reconnects. */
  lost(reason: string): void;
}

export interface LogReader {
  info(key: LogKey, tail?: number): Promise<LogInfo>;
  /** Delivers every entry of `key` after `after`; returns the function that stops it. */
  follow(key: LogKey, after: string, handlers: FollowHandlers): () => void;
}

/** Where a stream starts: it follows the log after `position`; `latest` is the log's last id when it opened. */
export interface Start {
  readonly position: string;
  readonly latest: string;
  /** Set when events after `missedAfter` may be lost (trimmed, or the log lost them); `oldest` is the first kept. */
  readonly resync?: { readonly missedAfter: string; readonly oldest: string | null };
}

/**
 * The resume math, pure. With a `Last-Event-ID` the log still covers, the stream continues right after it; one below
 * what was trimmed, or above anything the log handed out (a log that lost its data), means events may be lost, so
 * `resync` and everything kept. Without one (or with a value that is no id of ours): the whole log, or its last
 * `tail` entries.
 */
export function startOf(info: LogInfo, lastEventId: string | undefined, tail?: number): Start {
  const latest = info.last ?? '0-0';
  const all = info.first !== undefined ? eventIdBefore(info.first) : latest;
  const id = lastEventId?.trim();
  if (isEventId(id)) {
    const unknown = info.last !== undefined && compareEventIds(id, info.last) > 0;
    const trimmed = info.trimmed !== undefined && compareEventIds(id, info.trimmed) < 0;
    if (!unknown && !trimmed) return { position: id, latest };
    return { position: all, latest, resync: { missedAfter: id, oldest: info.first ?? null } };
  }
  if (tail !== undefined) return { position: info.tailFirst !== undefined ? eventIdBefore(info.tailFirst) : latest, latest };
  return { position: all, latest };
}
