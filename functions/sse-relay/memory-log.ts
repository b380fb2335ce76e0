import { compareCheckedIds, eventIdBefore, isEventId } from '../../shared/sse/event-id.js';
import { Ring } from './buffer.js';
import { sessionLog, type Append, type FollowHandlers, type LogEntry, type LogInfo, type LogKey } from './log.js';
import type { LogReader, LogWriter } from './log.js';

/*
 * The relay's logs in process memory: the embedded default of one replica. Ids have the shape of Redis stream ids and
 * come from the clock (`<ms>-<seq>`), so a restarted relay hands out ids above the previous process's, and a browser
 * that resumes with an old id is told it may have missed events (everything before this process counts as trimmed).
 * One id per frame: the sessions a frame goes to share the entry, so it is kept and framed once.
 */

export interface MemoryLogOptions {
  /** Entries kept in the operator log. */
  readonly operatorCap: number;
  /** Entries kept per session log. */
  readonly sessionCap: number;
  /** A session log nothing was appended to for this long is dropped. */
  readonly sessionTtlMs: number;
  /** At most this many session logs; the least recently appended go first. */
  readonly maxSessions: number;
  /** How long an appended event's key is remembered, so a redelivery appends nothing. */
  readonly dedupeTtlMs: number;
  readonly now: () => number;
}

interface Kept {
  readonly ring: Ring<LogEntry>;
  trimmed: string;
  touched: number;
}

interface Listener {
  after: string;
  readonly handlers: FollowHandlers;
}

const SESSION = sessionLog('');

/** Remembered append keys beyond which the oldest are forgotten early. */
const MAX_APPEND_KEYS = 100_000;

export class MemoryLog implements LogWriter, LogReader {
  readonly #born: string;
  #lastMs = -1;
  #seq = 0;
  readonly #operator: Kept;
  readonly #sessions = new Map<string, Kept>();
  /** Who follows which log: the operator log's readers, and each session's by session id (no key built per entry). */
  readonly #operatorListeners = new Set<Listener>();
  /**
   * A session's readers (one per open tab, usually one): an array, replaced rather than changed, so a reader that
   * stops while the others are notified skips none of them; a Set per session cost 4 times the memory.
   */
  readonly #sessionListeners = new Map<string, readonly Listener[]>();
  readonly #appended = new Map<string, number>();

  constructor(readonly opts: MemoryLogOptions) {
    // Every id of an earlier process is below this one: a reader that comes back with one may have missed events.
    this.#born = eventIdBefore(`${Math.floor(opts.now())}-0`);
    this.#operator = { ring: new Ring(opts.operatorCap), trimmed: this.#born, touched: 0 };
  }

  get sessions(): number {
    return this.#sessions.size;
  }

  async append(a: Append): Promise<boolean> {
    const now = this.opts.now();
    for (const [key, until] of this.#appended) {
      if (until > now && this.#appended.size <= MAX_APPEND_KEYS) break;
      this.#appended.delete(key);
    }
    if (this.#appended.has(a.key)) return false;
    this.#appended.set(a.key, now + this.opts.dedupeTtlMs);

    const op: LogEntry = { id: this.#nextId(now), ...a.operator };
    this.#keep(this.#operator, op);
    this.#sweep(now);
    if (a.frames.length === 1) {
      // The common case (one frame to every session of a healing, thousands at a time): one shared batch, no map.
      const frame = a.frames[0]!;
      const batch = [{ id: this.#nextId(now), event: frame.event, data: frame.data }];
      for (const session of frame.to) this.#keep(this.#touch(session, now), batch[0]!);
      this.#notify(this.#operatorListeners, [op]);
      for (const session of frame.to) this.#notify(this.#sessionListeners.get(session), batch);
      return true;
    }
    const batches = new Map<string, LogEntry[]>();
    for (const frame of a.frames) {
      const entry: LogEntry = { id: this.#nextId(now), event: frame.event, data: frame.data };
      for (const session of frame.to) {
        const kept = this.#touch(session, now);
        this.#keep(kept, entry);
        const batch = batches.get(session);
        if (batch) batch.push(entry);
        else batches.set(session, [entry]);
      }
    }
    this.#notify(this.#operatorListeners, [op]);
    for (const [session, batch] of batches) this.#notify(this.#sessionListeners.get(session), batch);
    return true;
  }

  async info(key: LogKey, tail?: number): Promise<LogInfo> {
    const kept = this.#kept(key);
    const first = kept?.ring.first?.id;
    const last = kept?.ring.last?.id;
    const tailFirst = tail !== undefined ? kept?.ring.tailFirst(tail)?.id : undefined;
    return {
      trimmed: kept?.trimmed ?? this.#born,
      ...(first !== undefined && last !== undefined ? { first, last } : {}),
      ...(tailFirst !== undefined ? { tailFirst } : {})
    };
  }

  follow(key: LogKey, after: string, handlers: FollowHandlers): () => void {
    // Checked once here: every id compared with it later is one this log handed out.
    if (!isEventId(after)) throw new TypeError(`not an event id: ${JSON.stringify(after)}`);
    const listener: Listener = { after, handlers };
    const kept = this.#kept(key);
    const backlog = kept ? kept.ring.after(after) : [];
    const session = key === 'operator' ? undefined : key.slice(SESSION.length);
    if (session === undefined) this.#operatorListeners.add(listener);
    else this.#sessionListeners.set(session, [...(this.#sessionListeners.get(session) ?? []), listener]);
    if (backlog.length > 0) this.#deliver(listener, backlog);
    return () => {
      if (session === undefined) return void this.#operatorListeners.delete(listener);
      const rest = (this.#sessionListeners.get(session) ?? []).filter((l) => l !== listener);
      if (rest.length > 0) this.#sessionListeners.set(session, rest);
      else this.#sessionListeners.delete(session);
    };
  }

  #nextId(now: number): string {
    const ms = Math.floor(now);
    if (ms > this.#lastMs) {
      this.#lastMs = ms;
      this.#seq = 0;
    } else this.#seq++;
    return `${this.#lastMs}-${this.#seq}`;
  }

  #keep(kept: Kept, entry: LogEntry): void {
    const evicted = kept.ring.push(entry);
    if (evicted) kept.trimmed = evicted.id;
  }

  /** The session's log, created if needed and moved to the back (most recently appended). */
  #touch(session: string, now: number): Kept {
    let kept = this.#sessions.get(session);
    if (kept) this.#sessions.delete(session);
    else kept = { ring: new Ring(this.opts.sessionCap), trimmed: this.#born, touched: now };
    kept.touched = now;
    this.#sessions.set(session, kept);
    if (this.#sessions.size > this.opts.maxSessions) this.#sessions.delete(this.#sessions.keys().next().value!);
    return kept;
  }

  #sweep(now: number): void {
    for (const [session, kept] of this.#sessions) {
      if (kept.touched + this.opts.sessionTtlMs > now) break;
      this.#sessions.delete(session);
    }
  }

  #kept(key: LogKey): Kept | undefined {
    if (key === 'operator') return this.#operator;
    const session = key.slice(SESSION.length);
    const kept = this.#sessions.get(session);
    if (kept && kept.touched + this.opts.sessionTtlMs <= this.opts.now()) {
      this.#sessions.delete(session);
      return undefined;
    }
    return kept;
  }

  #notify(listeners: ReadonlySet<Listener> | readonly Listener[] | undefined, batch: readonly LogEntry[]): void {
    if (listeners === undefined) return;
    if (!Array.isArray(listeners)) for (const listener of listeners) this.#deliver(listener, batch);
    else for (let i = 0; i < listeners.length; i++) this.#deliver(listeners[i]!, batch);
  }

  #deliver(listener: Listener, batch: readonly LogEntry[]): void {
    // Ids ascend within a batch: when the first is new to this reader, all are (no copy, one comparison).
    const fresh =
      compareCheckedIds(batch[0]!.id, listener.after) > 0
        ? batch
        : batch.filter((e) => compareCheckedIds(e.id, listener.after) > 0);
    if (fresh.length === 0) return;
    listener.after = fresh[fresh.length - 1]!.id;
    listener.handlers.entries(fresh);
  }
}
