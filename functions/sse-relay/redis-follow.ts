import type { Redis } from 'ioredis';
import type { RedisConnection } from '../../shared/redis/connection.js';
import type { Logger } from '../../shared/runtime/logging.js';
import { compareCheckedIds, compareEventIds, isEventId } from '../../shared/sse/event-id.js';
import type { FollowHandlers, LogEntry, LogKey } from './log.js';
import { entryOf, streamKey } from './redis-log.js';

/*
 * How one replica follows the logs of its own clients: one blocking `XREAD` over every log it serves, each with the
 * id it has read up to, on a connection of its own (a blocked connection can do nothing else). Chosen over pub/sub as
 * the wake-up plus XRANGE for the gap by measurement (functions/sse-relay/README.md, `npm run bench -- relay-follow`).
 *
 * A log several streams read (the operator log, a session open in two tabs) is read once. A stream that starts
 * behind what the loop has read catches up with one `XRANGE` and gets what the loop reads meanwhile after it. A log
 * the loop does not read yet starts at the stream's position, so kept entries and new ones come the same way. When the
 * set of logs changes, `CLIENT UNBLOCK` restarts the blocked read (at most every 20 ms, so a storm of reconnects
 * joins one read instead of reissuing it per stream). When the connection fails, every stream ends (the clients
 * resume with Last-Event-ID wherever they reconnect) and the loop waits for Redis to come back.
 */

export interface FollowerOptions {
  /** Longest single block; the loop reissues it. */
  readonly blockMs: number;
  /** Entries per log per read. */
  readonly count: number;
  readonly log: Logger;
}

interface Sub {
  after: string;
  readonly handlers: FollowHandlers;
  /** What the loop read while this stream was catching up (one shape for every stream: never deleted). */
  pending: LogEntry[] | undefined;
}

interface Followed {
  cursor: string;
  readonly subs: Set<Sub>;
}

export interface Follower {
  follow(key: LogKey, after: string, handlers: FollowHandlers): () => void;
  close(): Promise<void>;
}

/** The shortest time between two restarts of the read for logs that joined. */
const WAKE_MS = 20;

type XreadReply = [string, [string, string[]][]][] | null;

function deliver(sub: Sub, entries: readonly LogEntry[]): void {
  if (sub.pending) return void sub.pending.push(...entries);
  let i = 0;
  // Redis hands out only ids, and `after` was checked when the stream began following.
  while (i < entries.length && compareCheckedIds(entries[i]!.id, sub.after) <= 0) i++;
  if (i === entries.length) return;
  const fresh = i === 0 ? entries : entries.slice(i);
  sub.after = fresh[fresh.length - 1]!.id;
  sub.handlers.entries(fresh);
}

/**
 * @example
 * const follower = createFollower(redis, { blockMs: 10_000, count: 1_000, log });
 * const stop = follower.follow('operator', '0-0', { entries: (b) => write(b), lost: () => res.end() });
 */
export function createFollower(redis: RedisConnection, opts: FollowerOptions): Follower {
  const followed = new Map<string, Followed>();
  // A read in flight when the connection drops fails at once instead of being sent again after a reconnect: resent,
  // it would block on the old set of logs on a connection whose id the loop no longer knows, so no follow could wake
  // it until the block ends.
  const blocking: Redis = redis.client.duplicate({
    commandTimeout: opts.blockMs + 5_000,
    lazyConnect: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false
  });
  blocking.on('error', () => undefined); // the shared connection logs Redis going away once
  let blockedId: string | undefined;
  let blocked = false;
  let closed = false;
  let idle: (() => void) | undefined;

  // Restarting the read costs one command naming every followed log: when many streams open at once (a reconnect
  // storm), their logs join the read together, at most once per WAKE_MS.
  let waking: NodeJS.Timeout | undefined;
  let lastIssued = 0;
  const unblock = (): void => {
    waking = undefined;
    if (!blocked || blockedId === undefined || closed) return;
    const id = blockedId;
    // Sent on the shared connection; 0 means the read was not blocked yet: try again until it is, or it returned.
    redis.client.client('UNBLOCK', id).then(
      (n) => void (n === 0 && blocked && !waking && (waking = setTimeout(unblock, 2))),
      () => undefined
    );
  };
  const wake = (): void => {
    idle?.();
    if (!blocked || waking) return;
    waking = setTimeout(unblock, Math.max(0, lastIssued + WAKE_MS - performance.now()));
  };

  const loseAll = (reason: string): void => {
    const subs = [...followed.values()].flatMap((f) => [...f.subs]);
    followed.clear();
    for (const sub of subs) sub.handlers.lost(reason);
  };

  const dispatch = (reply: XreadReply): void => {
    for (const [key, raw] of reply ?? []) {
      const f = followed.get(key);
      if (!f || raw.length === 0) continue;
      const entries = raw.map(([id, fields]) => entryOf(id, fields));
      f.cursor = entries[entries.length - 1]!.id;
      for (const sub of [...f.subs]) deliver(sub, entries);
    }
  };

  const ready = (): Promise<void> =>
    blocking.status === 'ready' ? Promise.resolve() : new Promise((resolve) => blocking.once('ready', () => resolve()));

  const loop = async (): Promise<void> => {
    while (!closed) {
      if (followed.size === 0) {
        await new Promise<void>((resolve) => (idle = resolve));
        idle = undefined;
        continue;
      }
      try {
        await ready();
        if (closed) return;
        blockedId ??= String(await blocking.client('ID'));
        const keys = [...followed.keys()];
        const cursors = keys.map((k) => followed.get(k)!.cursor);
        blocked = true;
        lastIssued = performance.now();
        const reply = (await blocking.xread(
          'COUNT',
          opts.count,
          'BLOCK',
          opts.blockMs,
          'STREAMS',
          ...keys,
          ...cursors
        )) as XreadReply;
        blocked = false;
        dispatch(reply);
      } catch (err) {
        blocked = false;
        blockedId = undefined;
        if (closed) return;
        opts.log.debug({ err }, 'following the relay logs failed: ending the streams');
        loseAll(err instanceof Error ? err.message : String(err));
        // Redis is away: wait for it (the reconnect has its own back-off) before reading again.
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  blocking.on('ready', () => (blockedId = undefined));
  void loop();

  return {
    follow(key, after, handlers) {
      if (!isEventId(after)) throw new TypeError(`not an event id: ${JSON.stringify(after)}`);
      const k = streamKey(redis.prefix, key);
      const sub: Sub = { after, handlers, pending: undefined };
      const f = followed.get(k);
      if (!f) {
        followed.set(k, { cursor: after, subs: new Set([sub]) });
        wake();
      } else if (compareEventIds(after, f.cursor) >= 0) {
        f.subs.add(sub);
      } else {
        // Behind what the loop has read: catch up to its cursor, then take what it read meanwhile.
        sub.pending = [];
        f.subs.add(sub);
        const upTo = f.cursor;
        redis
          .run('replay the stream', (c) => c.xrange(k, `(${after}`, upTo))
          .then((raw) => {
            const missed = sub.pending ?? [];
            sub.pending = undefined;
            deliver(
              sub,
              raw.map(([id, fields]) => entryOf(id, fields))
            );
            deliver(sub, missed);
          })
          .catch((err: unknown) => {
            f.subs.delete(sub);
            handlers.lost(err instanceof Error ? err.message : String(err));
          });
      }
      return () => {
        const now = followed.get(k);
        if (!now?.subs.delete(sub) || now.subs.size > 0) return;
        followed.delete(k);
      };
    },
    async close() {
      closed = true;
      clearTimeout(waking);
      idle?.();
      followed.clear();
      blocking.disconnect();
    }
  };
}
