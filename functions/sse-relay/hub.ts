import type { CortexEvent, SetupCtx } from '../../shared/runtime/define-function.js';
import type { Logger } from '../../shared/runtime/logging.js';
import { EventBuffer, firstIdAt, type Sequenced } from './buffer.js';
import { cloudEventOf, endedFactsOf, sessionEventsOf, STREAMED, targetIn } from './mapping.js';
import { Healings, healingIdOf, isFor, namedSessions, sessionsOf, type Audience } from './sessions.js';
import { sseComment, sseFrame, sseRetry } from '../../shared/sse/frame.js';

/*
 * The relay's in-process state: the event buffer, healing membership and the open streams, indexed by session so a
 * delivery touches only the streams it is for. Every event is serialised once per audience kind when it arrives
 * (session frames, operator frame) and the same text is written to every matching stream. One shared interval sends
 * heartbeats. A stream that stops reading is dropped once too much is queued for it; it resumes with Last-Event-ID.
 */

const STREAMED_TYPES: ReadonlySet<string> = new Set(STREAMED.map((d) => d.type));

/** How long a browser waits before reconnecting (sent once per stream as `retry:`). */
export const RETRY_MS = 1000;
/** Bytes queued for one stream beyond which it counts as stuck and is dropped. */
export const MAX_PENDING_BYTES = 4 * 1024 * 1024;

interface Frame {
  readonly id: number;
  readonly text: string;
  readonly only: ReadonlySet<string> | undefined;
}

interface Entry extends Sequenced {
  readonly audience: Audience;
  readonly frames: readonly Frame[];
  readonly operator: string;
}

/** The writable end of one SSE response (a node ServerResponse, or a fake in tests). */
export interface StreamSink {
  write(chunk: string): boolean;
  end(): void;
  destroy(): void;
  readonly writableLength: number;
  once(event: 'close', listener: () => void): unknown;
}

export type StreamRequest =
  | { readonly kind: 'session'; readonly session: string; readonly lastEventId?: string }
  | { readonly kind: 'operator'; readonly session?: string; readonly lastEventId?: string; readonly history: number };

interface Stream {
  readonly sink: StreamSink;
  readonly kind: 'session' | 'operator';
  readonly session: string | undefined;
}

/** Connected clients by kind, for a metrics gauge. */
export interface RelayStats {
  readonly session: number;
  readonly operator: number;
  /** Distinct sessions with at least one open stream. */
  readonly sessions: number;
  readonly buffered: number;
  readonly healings: number;
  readonly latestId: string;
}

export interface HubOptions {
  readonly buffer: number;
  readonly maxPerSession: number;
  readonly heartbeatMs: number;
  readonly nowMs: number;
  readonly log?: Logger;
}

function add<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (set) set.add(value);
  else index.set(key, new Set([value]));
}

function remove<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (set?.delete(value) && set.size === 0) index.delete(key);
}

export class Hub {
  readonly #buffer: EventBuffer<Entry>;
  readonly #healings: Healings;
  readonly #all = new Set<Stream>();
  readonly #bySession = new Map<string, Set<Stream>>();
  readonly #operators = new Set<Stream>();
  readonly #operatorsBySession = new Map<string, Set<Stream>>();
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(readonly opts: HubOptions) {
    this.#buffer = new EventBuffer<Entry>(opts.buffer, firstIdAt(opts.nowMs));
    this.#healings = new Healings(Math.max(1000, opts.buffer));
  }

  /** Stores a delivered event and writes it to every open stream it is for. */
  ingest(event: CortexEvent): void {
    const healingId = healingIdOf(event.data);
    const named = namedSessions(event.data);
    // Only the signed healing events teach who follows a healing: anyone may send the rest (docs/security.md). A dead
    // letter is a failed delivery to someone else: it says nothing new either.
    const teaches = !event.deadLetter && STREAMED_TYPES.has(event.type);
    const facts =
      healingId === undefined
        ? undefined
        : teaches
          ? this.#healings.learn(healingId, named, targetIn(event.data), endedFactsOf(event))
          : this.#healings.get(healingId);
    const sessionEvents = sessionEventsOf(event, facts);
    const seq = this.#buffer.reserve(sessionEvents.length);
    const frames = sessionEvents.map((e, i): Frame => ({
      id: seq + i,
      text: sseFrame({ event: e.event, id: seq + i, data: e.data }),
      only: e.only ? new Set(e.only) : undefined
    }));
    const entry: Entry = {
      seq,
      last: seq + Math.max(1, frames.length) - 1,
      audience: { named, healingId },
      frames,
      operator: sseFrame({ event: event.type, id: seq, data: cloudEventOf(event) })
    };
    this.#buffer.push(entry);
    const audience = sessionsOf(entry.audience, this.#healings);
    for (const session of audience) {
      const streams = this.#bySession.get(session);
      if (streams && frames.length > 0) {
        const text = framesFor(entry, session, 0);
        if (text) for (const s of streams) this.#send(s, text);
      }
      for (const s of this.#operatorsBySession.get(session) ?? []) this.#send(s, entry.operator);
    }
    for (const s of this.#operators) this.#send(s, entry.operator);
  }

  /** False when the session already has the maximum number of open streams (0 = no limit). */
  canOpen(session: string): boolean {
    const max = this.opts.maxPerSession;
    return max === 0 || (this.#bySession.get(session)?.size ?? 0) < max;
  }

  /**
   * Starts a stream on a response whose SSE headers are sent: `retry`, `connected`, `resync` if events were lost,
   * the history or the missed events, then live events. Synchronous, so no event can fall between history and live.
   */
  open(sink: StreamSink, req: StreamRequest): void {
    const buf = this.#buffer;
    const resume = buf.resumeFrom(req.lastEventId);
    let position = buf.oldest - 1;
    let entries: Entry[];
    if (resume.kind === 'after') {
      position = resume.id;
      entries = buf.after(position);
    } else if (resume.kind === 'history' && req.kind === 'operator') {
      entries = buf.tail(req.history);
      position = entries.length > 0 ? entries[0]!.seq - 1 : buf.latest;
    } else {
      entries = buf.after(position);
    }
    // `connected` carries the position the history starts from as its id: a client cut off during the history
    // resumes from there instead of skipping the rest.
    let text =
      sseRetry(RETRY_MS) +
      sseFrame({
        event: 'connected',
        id: position,
        data: { session: req.session ?? null, lastEventId: String(buf.latest) }
      });
    if (resume.kind === 'resync') {
      text += sseFrame({
        event: 'resync',
        id: position,
        data: { missedFrom: String(resume.missedFrom), oldest: String(resume.oldest) }
      });
    }
    for (const e of entries) {
      if (req.kind === 'session') {
        if (isFor(e.audience, req.session, this.#healings)) text += framesFor(e, req.session, position);
      } else if (req.session === undefined || isFor(e.audience, req.session, this.#healings)) {
        if (e.seq > position) text += e.operator;
      }
    }
    sink.write(text);
    const stream: Stream = { sink, kind: req.kind, session: req.session };
    this.#register(stream);
    sink.once('close', () => this.#unregister(stream));
    this.opts.log?.debug(
      { kind: req.kind, session: req.session, resume: resume.kind, replayed: entries.length },
      'stream opened'
    );
  }

  /** Ends every open stream (graceful shutdown); browsers reconnect, to another pod or to the next process. */
  closeAll(): void {
    for (const s of [...this.#all]) {
      this.#unregister(s);
      s.sink.end();
    }
  }

  stats(): RelayStats {
    let session = 0;
    for (const set of this.#bySession.values()) session += set.size;
    return {
      session,
      operator: this.#all.size - session,
      sessions: this.#bySession.size,
      buffered: this.#buffer.size,
      healings: this.#healings.size,
      latestId: String(this.#buffer.latest)
    };
  }

  #send(s: Stream, text: string): void {
    if (s.sink.writableLength > MAX_PENDING_BYTES) {
      this.opts.log?.warn(
        { kind: s.kind, session: s.session, queued: s.sink.writableLength },
        'dropping a stream that stopped reading'
      );
      this.#unregister(s);
      s.sink.destroy();
      return;
    }
    s.sink.write(text);
  }

  #register(s: Stream): void {
    this.#all.add(s);
    if (s.kind === 'session') add(this.#bySession, s.session!, s);
    else if (s.session === undefined) this.#operators.add(s);
    else add(this.#operatorsBySession, s.session, s);
    if (!this.#heartbeat && this.opts.heartbeatMs > 0) {
      this.#heartbeat = setInterval(() => {
        const beat = sseComment('keep-alive');
        for (const stream of [...this.#all]) this.#send(stream, beat);
      }, this.opts.heartbeatMs);
      this.#heartbeat.unref();
    }
  }

  #unregister(s: Stream): void {
    if (!this.#all.delete(s)) return;
    if (s.kind === 'session') remove(this.#bySession, s.session!, s);
    else if (s.session === undefined) this.#operators.delete(s);
    else remove(this.#operatorsBySession, s.session, s);
    this.opts.log?.debug({ kind: s.kind, session: s.session }, 'stream closed');
    if (this.#all.size === 0 && this.#heartbeat) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }
}

/** The session frames of an entry one session may see, after `position`, as one string. */
function framesFor(entry: Entry, session: string, position: number): string {
  let text = '';
  for (const f of entry.frames) if (f.id > position && (!f.only || f.only.has(session))) text += f.text;
  return text;
}

/** What the relay's handler and routes share: its hub and the credentials streams are checked against. */
export interface RelayDeps {
  readonly hub: Hub;
  readonly sessionSecret: string;
  readonly operatorToken: string | undefined;
}

/**
 * Builds one served relay's state (its `setup`): each served relay has its own hub, so two relays in one process
 * (tests, the local stack) never share state. Open streams end on shutdown; browsers reconnect elsewhere.
 *
 * @example
 * setup: relaySetup
 */
export function relaySetup(ctx: Pick<SetupCtx, 'config' | 'clock' | 'log' | 'onShutdown'>): RelayDeps {
  const { buffer, maxPerSession, heartbeatMs } = ctx.config.relay;
  const hub = new Hub({ buffer, maxPerSession, heartbeatMs, nowMs: ctx.clock.now().getTime(), log: ctx.log });
  ctx.onShutdown(() => hub.closeAll());
  return { hub, sessionSecret: ctx.config.sessionSecret!, operatorToken: ctx.config.operatorToken };
}
