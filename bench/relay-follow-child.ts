import type { Redis } from 'ioredis';
import { sessionLog, type LogEntry } from '../functions/sse-relay/log.js';
import { createFollower } from '../functions/sse-relay/redis-follow.js';
import { entryOf, streamKey } from '../functions/sse-relay/redis-log.js';
import { acquireRedis } from '../shared/redis/connection.js';
import { loadConfig } from '../shared/runtime/config.js';
import { createLogger } from '../shared/runtime/logging.js';
import { sessionId } from './relay-keys.js';

/*
 * One relay replica's way of following the session logs of its clients, in its own process (its CPU is its own), for
 * `npm run bench -- relay-follow`:
 *
 *   xread   the relay's follower (functions/sse-relay/redis-follow.ts): one blocking XREAD over every log it serves
 *   pubsub  a subscription to one channel per served session; a message wakes the session, and one pipelined XRANGE
 *           per woken session reads what it has not read yet (the gap)
 *
 * Follows sessions [from, to). Tells the parent {ready}, then {k, at} once every session it follows got event k
 * (`at`: epoch ms, comparable across processes), and answers 'cpu' with its CPU time.
 *
 *   node --import tsx bench/relay-follow-child.ts xread|pubsub <redis url> <from> <to>
 */

const [strategy, url, from, to] = process.argv.slice(2) as [string, string, string, string];
const log = createLogger({ name: 'bench', level: 'silent' });
const redis = await acquireRedis(loadConfig({ CORTEX_REDIS_URL: url, CORTEX_REDIS_TIMEOUT_MS: '10000' }).redis!, log);
const sessions = Array.from({ length: Number(to) - Number(from) }, (_, i) => sessionId(Number(from) + i));
const now = (): number => performance.timeOrigin + performance.now();
const send = (m: unknown): void => void process.send!(m);

const got = new Map<number, number>();
function count(entries: readonly LogEntry[]): void {
  for (const e of entries) {
    const k = (JSON.parse(e.data) as { k: number }).k;
    const n = (got.get(k) ?? 0) + 1;
    got.set(k, n);
    if (n === sessions.length) send({ k, at: now() });
  }
}

async function xread(): Promise<void> {
  const follower = createFollower(redis, { blockMs: 10_000, count: 1_000, log });
  for (const s of sessions) follower.follow(sessionLog(s), '0-0', { entries: count, lost: () => undefined });
}

async function pubsub(): Promise<void> {
  const sub: Redis = redis.client.duplicate({ enableOfflineQueue: true });
  const cursor = new Map<string, string>(sessions.map((s) => [streamKey(redis.prefix, sessionLog(s)), '0-0']));
  const channelKey = new Map(sessions.map((s) => [`${redis.prefix}relay:w:${s}`, streamKey(redis.prefix, sessionLog(s))]));
  const woken = new Set<string>();
  let scheduled = false;
  const drain = async (): Promise<void> => {
    scheduled = false;
    const keys = [...woken];
    woken.clear();
    const batch = redis.client.pipeline();
    for (const k of keys) batch.xrange(k, `(${cursor.get(k)!}`, '+');
    const replies = (await batch.exec()) ?? [];
    replies.forEach(([err, raw], i) => {
      if (err) return;
      const entries = (raw as [string, string[]][]).map(([id, f]) => entryOf(id, f));
      if (entries.length === 0) return;
      cursor.set(keys[i]!, entries[entries.length - 1]!.id);
      count(entries);
    });
  };
  sub.on('message', (channel: string) => {
    woken.add(channelKey.get(channel)!);
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => void drain());
    }
  });
  const channels = [...channelKey.keys()];
  for (let i = 0; i < channels.length; i += 1_000) await sub.subscribe(...channels.slice(i, i + 1_000));
}

await (strategy === 'xread' ? xread() : pubsub());
process.on('message', (m) => {
  if (m === 'cpu') {
    const { user, system } = process.cpuUsage();
    send({ cpuMs: (user + system) / 1000 });
  }
});
process.on('disconnect', () => process.exit(0));
// Give the follower its first read before the parent appends.
setTimeout(() => send({ ready: true }), 500);
