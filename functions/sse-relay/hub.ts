import type { FunctionGauge } from '../../shared/runtime/define-function.js';
import type { Logger } from '../../shared/runtime/logging.js';
import { sseComment, sseFrame, sseRetry } from '../../shared/sse/frame.js';
import { sessionLog, startOf, type FollowHandlers, type LogEntry, type LogKey, type LogReader, type Start } from './log.js';
import type { HealingRoutes } from './sessions.js';

/*
 * One replica's open streams. A stream starts where the log says (history, after Last-Event-ID, or resync) and then
 * follows its log: kept entries first, then appended ones, each once and in order, whichever replica appended them.
 * Entries are framed and encoded once per replica (the frame's bytes are cached on the entry) and the same Buffer goes
 * to every stream of that log, several in one corked write. One shared interval sends heartbeats. A stream that stops reading is dropped once too much is queued
 * for it; a stream whose log cannot be followed any more (Redis gone) ends, and the client resumes with Last-Event-ID.
 */

/** How long a browser waits before reconnecting (sent once per stream as `retry:`). */
export const RETRY_MS = 1000;
/** Bytes queued for one stream beyond which it counts as stuck and is dropped. */
export const MAX_PENDING_BYTES = 4 * 1024 * 1024;

/** The writable end of one SSE response (a node ServerResponse, or a fake in tests). */
export interface StreamSink {
  write(chunk: string | Buffer): boolean;
  /** Optional batching (a node ServerResponse has them): the writes in between leave in one syscall. */
  cork?(): void;
  uncork?(): void;
  end(): void;
  destroy(): void;
  readonly writableLength: number;
  /** Called with the sink as `this`: one listener serves every stream. */
  on(event: 'close', listener: (this: StreamSink) => void): unknown;
}

export type StreamRequest =
  | { readonly kind: 'session'; readonly session: string; readonly lastEventId?: string | undefined }
  | {
      readonly kind: 'operator';
      readonly session?: string | undefined;
      readonly lastEventId?: string | undefined;
      readonly history: number;
    };

/**
 * One open stream: its sink, what it follows and how to stop following. It is its own follow handler (methods on the
 * prototype), so a stream costs this record and no closures: at 10,000 streams every per-stream object counts.
 */
class Stream implements FollowHandlers {
  stop: (() => void) | undefined = undefined;
  /** Operator streams filtered on a session decide per entry, in order. */
  filtering: Promise<void> | undefined = undefined;

  constructor(
    readonly hub: Hub,
    readonly sink: StreamSink,
    readonly kind: 'session' | 'operator',
    readonly session: string | undefined
  ) {}

  entries(batch: readonly LogEntry[]): void {
    this.hub.deliver(this, batch);
  }

  lost(reason: string): void {
    this.hub.opts.log?.debug({ kind: this.kind, session: this.session, reason }, 'ending a stream');
    this.hub.end(this);
  }
}

/** Connected clients by kind, for a metrics gauge. */
export interface RelayStats {
  readonly session: number;
  readonly operator: number;
  /** Distinct sessions with at least one open stream. */
  readonly sessions: number;
}

export interface HubOptions {
  readonly maxPerSession: number;
  readonly heartbeatMs: number;
  readonly log?: Logger;
}

const framed = new WeakMap<LogEntry, Buffer>();
/** The entry framed last: a fan-out asks for it once per stream, thousands of times in a row. */
let last: { entry: LogEntry | undefined; bytes: Buffer } = { entry: undefined, bytes: Buffer.alloc(0) };

/** The SSE bytes of an entry, encoded once per entry object and shared by every stream that gets it. */
function frameOf(e: LogEntry): Buffer {
  if (e === last.entry) return last.bytes;
  let bytes = framed.get(e);
  if (bytes === undefined) framed.set(e, (bytes = Buffer.from(sseFrame({ event: e.event, id: e.id, data: e.data }))));
  last = { entry: e, bytes };
  return bytes;
}

const keyOf = (req: StreamRequest): LogKey => (req.kind === 'session' ? sessionLog(req.session) : 'operator');

export class Hub {
  /** Every open stream by its sink. */
  readonly #all = new Map<StreamSink, Stream>();
  readonly #perSession = new Map<string, number>();
  #heartbeat: NodeJS.Timeout | undefined;
  /** The one `close` listener of every sink (it is `this`). */
  readonly #closed = ((hub: Hub) =>
    function closed(this: StreamSink): void {
      const s = hub.#all.get(this);
      if (s) hub.#unregister(s);
    })(this);

  constructor(
    readonly opts: HubOptions,
    readonly reader: LogReader,
    readonly routes: HealingRoutes
  ) {}

  /** False when the session already has the maximum number of open streams here (0 = no limit). */
  canOpen(session: string): boolean {
    const max = this.opts.maxPerSession;
    return max === 0 || (this.#perSession.get(session) ?? 0) < max;
  }

  /** Where a stream starts; rejects (503) when the log cannot be read. Call before the SSE headers go out. */
  async prepare(req: StreamRequest): Promise<Start> {
    const tail = req.kind === 'operator' ? req.history : undefined;
    return startOf(await this.reader.info(keyOf(req), tail), req.lastEventId, tail);
  }

  /**
   * Starts a stream on a response whose SSE headers are sent: `retry`, `connected` (its id is the position the stream
   * starts after, so a client cut off during the history resumes from there), `resync` if events may be lost, then
   * everything after the position.
   */
  open(sink: StreamSink, req: StreamRequest, start: Start): void {
    let text =
      sseRetry(RETRY_MS) +
      sseFrame({
        event: 'connected',
        id: start.position,
        data: { session: req.session ?? null, lastEventId: start.latest }
      });
    if (start.resync) text += sseFrame({ event: 'resync', id: start.position, data: start.resync });
    sink.write(text);
    const stream = new Stream(this, sink, req.kind, req.session);
    this.#register(stream);
    sink.on('close', this.#closed);
    const stop = this.reader.follow(keyOf(req), start.position, stream);
    if (this.#all.get(sink) === stream) stream.stop = stop;
    else stop();
    this.opts.log?.debug({ kind: req.kind, session: req.session, resync: start.resync !== undefined }, 'stream opened');
  }

  /** Ends every open stream (graceful shutdown); browsers reconnect, to another pod or to the next process. */
  closeAll(): void {
    for (const s of [...this.#all.values()]) this.end(s);
  }

  /** Ends one stream from this side (its log is gone, its filter failed, shutdown). */
  end(s: Stream): void {
    this.#unregister(s);
    s.sink.end();
  }

  stats(): RelayStats {
    let session = 0;
    for (const n of this.#perSession.values()) session += n;
    return { session, operator: this.#all.size - session, sessions: this.#perSession.size };
  }

  /** A stream's next entries (Stream.entries). */
  deliver(s: Stream, batch: readonly LogEntry[]): void {
    if (s.kind === 'operator' && s.session !== undefined) {
      const session = s.session;
      s.filtering = (s.filtering ?? Promise.resolve())
        .then(() => this.#forSession(batch, session))
        .then((mine) => {
          if (mine.length > 0 && this.#all.get(s.sink) === s) this.#send(s, mine.map(frameOf));
        })
        .catch((err: unknown) => {
          this.opts.log?.warn({ err, session }, 'ending an operator stream: its session filter failed');
          this.end(s);
        });
      return;
    }
    this.#send(s, batch.length === 1 ? frameOf(batch[0]!) : batch.map(frameOf));
  }

  /** The operator entries a session may see: those naming it, and those of healings it follows now. */
  async #forSession(batch: readonly LogEntry[], session: string): Promise<LogEntry[]> {
    const healings = [...new Set(batch.flatMap((e) => (e.healingId !== undefined ? [e.healingId] : [])))];
    const facts = await Promise.all(healings.map((h) => this.routes.get(h)));
    const follows = new Set(healings.filter((_h, i) => facts[i]?.sessions.has(session)));
    return batch.filter((e) => e.named?.includes(session) || (e.healingId !== undefined && follows.has(e.healingId)));
  }

  #send(s: Stream, bytes: Buffer | readonly Buffer[]): void {
    if (s.sink.writableLength > MAX_PENDING_BYTES) {
      this.opts.log?.warn(
        { kind: s.kind, session: s.session, queued: s.sink.writableLength },
        'dropping a stream that stopped reading'
      );
      this.#unregister(s);
      s.sink.destroy();
      return;
    }
    if (Buffer.isBuffer(bytes)) {
      s.sink.write(bytes);
      return;
    }
    s.sink.cork?.();
    for (const b of bytes) s.sink.write(b);
    s.sink.uncork?.();
  }

  #register(s: Stream): void {
    this.#all.set(s.sink, s);
    if (s.kind === 'session') this.#perSession.set(s.session!, (this.#perSession.get(s.session!) ?? 0) + 1);
    if (!this.#heartbeat && this.opts.heartbeatMs > 0) {
      this.#heartbeat = setInterval(() => {
        const beat = Buffer.from(sseComment('keep-alive'));
        for (const stream of [...this.#all.values()]) this.#send(stream, beat);
      }, this.opts.heartbeatMs);
      this.#heartbeat.unref();
    }
  }

  #unregister(s: Stream): void {
    if (this.#all.get(s.sink) !== s) return;
    this.#all.delete(s.sink);
    s.stop?.();
    if (s.kind === 'session') {
      const n = (this.#perSession.get(s.session!) ?? 1) - 1;
      if (n > 0) this.#perSession.set(s.session!, n);
      else this.#perSession.delete(s.session!);
    }
    this.opts.log?.debug({ kind: s.kind, session: s.session }, 'stream closed');
    if (this.#all.size === 0 && this.#heartbeat) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }
}

/** The `cortex_sse_clients` gauge: open streams by kind. */
export const clientsGauge = (hub: Hub): FunctionGauge => ({
  name: 'cortex_sse_clients',
  help: 'Open SSE streams by kind (session: a chat session, operator: the operator stream).',
  labelNames: ['kind'],
  read: () => {
    const s = hub.stats();
    return [
      { labels: { kind: 'session' }, value: s.session },
      { labels: { kind: 'operator' }, value: s.operator }
    ];
  }
});
