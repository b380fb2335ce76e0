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

/** Two unsigned decimal numbers compared as text: the longer one is larger, else the text order is the number order. */
function compareDigits(a: string, b: string): number {
  if (a.length > 1 && a.startsWith('0')) a = a.replace(/^0+(?=\d)/, '');
  if (b.length > 1 && b.startsWith('0')) b = b.replace(/^0+(?=\d)/, '');
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders two ids: negative when `a` came first. Compared as digit strings, not parsed (the relay compares an id per
 * entry per stream on its hot path).
 *
 * @example
 * ['10-0', '9-5'].sort(compareEventIds); // ['9-5', '10-0']
 */
export function compareEventIds(a: string, b: string): number {
  const [i, j] = [a.indexOf('-'), b.indexOf('-')];
  if (i < 0 || j < 0 || !isEventId(a) || !isEventId(b)) throw new TypeError(`not event ids: ${JSON.stringify([a, b])}`);
  return compareDigits(a.slice(0, i), b.slice(0, j)) || compareDigits(a.slice(i + 1), b.slice(j + 1));
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
