import type { Result } from 'ioredis';
import type { RedisConnection } from '../../shared/redis/connection.js';
import { eventIdBefore } from '../../shared/sse/event-id.js';
import type { LogEntry, LogInfo, LogKey, LogWriter } from './log.js';

/*
 * The relay's logs on Redis Streams (DESIGN §7, §11): `<prefix>relay:op` for operators and `<prefix>relay:s:<session>`
 * per chat session, capped with `MAXLEN ~` (whole radix-tree nodes, so a log keeps at least its cap), a session log
 * expiring when nothing was appended to it for the TTL. One event is appended by one Lua script: a marker (`SET NX`,
 * kept as long as the idempotency record) makes a redelivery append nothing, and readers never see half an event.
 * Entries carry `e` (SSE event name) and `d` (data, JSON encoded once); operator entries also `n` (the sessions the
 * event names, JSON) and `h` (its healing), for streams filtered on a session.
 *
 * Every key of one append is named in KEYS, so the script runs on a single Redis, a Sentinel-managed primary or a
 * managed Redis/Valkey; a Redis Cluster would need every session of an event in one slot, which it cannot promise.
 */

// KEYS: marker, operator stream, session streams. ARGV: marker TTL, operator cap, session cap, session TTL, operator
// e/d/n/h, frame count, then per frame: e, d, number of sessions, and the KEYS index of each.
const APPEND = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[5], 'd', ARGV[6], 'n', ARGV[7], 'h', ARGV[8])
local i = 10
for _ = 1, tonumber(ARGV[9]) do
  local e, d, count = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  i = i + 3
  for _ = 1, count do
    redis.call('XADD', KEYS[tonumber(ARGV[i])], 'MAXLEN', '~', ARGV[3], '*', 'e', e, 'd', d)
    i = i + 1
  end
end
for k = 3, #KEYS do redis.call('PEXPIRE', KEYS[k], ARGV[4]) end
return 1`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    cortexRelayAppend(numKeys: number, ...keysAndArgs: string[]): Result<number, Context>;
  }
}

export interface RedisLogOptions {
  readonly operatorCap: number;
  readonly sessionCap: number;
  readonly sessionTtlMs: number;
  readonly dedupeTtlMs: number;
}

/** The Redis key of a log. */
export function streamKey(prefix: string, key: LogKey): string {
  return key === 'operator' ? `${prefix}relay:op` : `${prefix}relay:s:${key.slice('session:'.length)}`;
}

/** Redis's field list of one stream entry → a log entry. */
export function entryOf(id: string, fields: readonly string[]): LogEntry {
  let event = '';
  let data = '';
  let named: string[] | undefined;
  let healingId: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [k, v] = [fields[i], fields[i + 1]!];
    if (k === 'e') event = v;
    else if (k === 'd') data = v;
    else if (k === 'n') named = JSON.parse(v) as string[];
    else if (k === 'h' && v !== '') healingId = v;
  }
  return { id, event, data, ...(named ? { named } : {}), ...(healingId !== undefined ? { healingId } : {}) };
}

/**
 * XINFO STREAM's flat reply → what a reader needs. Trimming does not move `max-deleted-entry-id`, but it makes
 * `entries-added` exceed `length`; every trimmed id is below the first kept one, so the id before it bounds them.
 */
function infoOf(reply: unknown[]): LogInfo {
  const at = (name: string): unknown => reply[reply.indexOf(name) + 1];
  const first = (at('first-entry') as [string, string[]] | null)?.[0];
  if (first === undefined) return {};
  const trimmed = Number(at('entries-added')) > Number(at('length'));
  return { first, last: at('last-generated-id') as string, ...(trimmed ? { trimmed: eventIdBefore(first) } : {}) };
}

export interface RedisLog extends LogWriter {
  info(key: LogKey, tail?: number): Promise<LogInfo>;
}

/**
 * @example
 * const log = createRedisLog(redis, { operatorCap: 10_000, sessionCap: 1_000, sessionTtlMs: 3_600_000, dedupeTtlMs: 600_000 });
 * await log.append(planAppend(event, facts));
 */
export function createRedisLog(redis: RedisConnection, opts: RedisLogOptions): RedisLog {
  redis.client.defineCommand('cortexRelayAppend', { lua: APPEND });
  const p = redis.prefix;
  return {
    async append(a) {
      const keys = [`${p}relay:in:${a.key}`, streamKey(p, 'operator')];
      const index = new Map<string, number>();
      const args = [
        String(opts.dedupeTtlMs),
        String(opts.operatorCap),
        String(opts.sessionCap),
        String(opts.sessionTtlMs),
        a.operator.event,
        a.operator.data,
        JSON.stringify(a.operator.named),
        a.operator.healingId ?? '',
        String(a.frames.length)
      ];
      for (const f of a.frames) {
        args.push(f.event, f.data, String(f.to.length));
        for (const session of f.to) {
          let k = index.get(session);
          if (k === undefined) {
            keys.push(streamKey(p, `session:${session}`));
            index.set(session, (k = keys.length));
          }
          args.push(String(k));
        }
      }
      const added = await redis.run('append the event to the relay logs', (c) =>
        c.cortexRelayAppend(keys.length, ...keys, ...args)
      );
      return added === 1;
    },

    async info(key, tail) {
      const k = streamKey(p, key);
      return redis.run('read where the stream starts', async (c) => {
        const batch = c.pipeline().xinfo('STREAM', k);
        if (tail !== undefined && tail > 0) batch.xrevrange(k, '+', '-', 'COUNT', tail);
        const [info, last] = (await batch.exec()) ?? [];
        if (info?.[0]) {
          if (/no such key/i.test(String(info[0]))) return {};
          throw info[0];
        }
        const tailFirst = (last?.[1] as [string, string[]][] | undefined)?.at(-1)?.[0];
        return { ...infoOf(info![1] as unknown[]), ...(tailFirst !== undefined ? { tailFirst } : {}) };
      });
    }
  };
}
