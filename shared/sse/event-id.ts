/*
 * The ids the relay puts on its SSE frames: Redis stream entry ids, `<milliseconds>-<sequence>` (the in-memory log
 * hands out the same shape). Ordered by milliseconds, then sequence; never compared as text ("9-0" < "10-0").
 */

const EVENT_ID = /^(\d{1,15})-(\d{1,20})$/;

/** The largest sequence number of a stream id (an unsigned 64-bit integer). */
const MAX_SEQ = 18446744073709551615n;

/**
 * True for a `<ms>-<seq>` id.
 *
 * @example
 * isEventId('1764950400000-3'); // true
 * isEventId('42'); // false
 */
export function isEventId(text: string | undefined): text is string {
  return text !== undefined && EVENT_ID.test(text);
}

function parts(id: string): [bigint, bigint] {
  const m = EVENT_ID.exec(id);
  if (!m) throw new TypeError(`not an event id: ${JSON.stringify(id)}`);
  return [BigInt(m[1]!), BigInt(m[2]!)];
}

/**
 * Orders two ids: negative when `a` came first.
 *
 * @example
 * ['10-0', '9-5'].sort(compareEventIds); // ['9-5', '10-0']
 */
export function compareEventIds(a: string, b: string): number {
  const [am, as] = parts(a);
  const [bm, bs] = parts(b);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

/**
 * The id right before `id`: following "after" it yields `id` itself. `0-0` has none and stays `0-0`.
 *
 * @example
 * eventIdBefore('5-3'); // '5-2'
 * eventIdBefore('5-0'); // '4-18446744073709551615'
 */
export function eventIdBefore(id: string): string {
  const [ms, seq] = parts(id);
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  return ms > 0n ? `${ms - 1n}-${MAX_SEQ}` : '0-0';
}
