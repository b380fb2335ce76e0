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
 * Two unsigned decimal numbers, `a[as..ae)` and `b[bs..be)`, compared digit by digit without copying them: leading
 * zeros skipped, then the longer one is larger, else the first differing digit decides.
 */
function compareDigits(a: string, as: number, ae: number, b: string, bs: number, be: number): number {
  while (as < ae - 1 && a.charCodeAt(as) === 48) as++;
  while (bs < be - 1 && b.charCodeAt(bs) === 48) bs++;
  if (ae - as !== be - bs) return ae - as - (be - bs);
  for (; as < ae; as++, bs++) {
    const d = a.charCodeAt(as) - b.charCodeAt(bs);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Orders two ids: negative when `a` came first. Compared as digit strings, neither parsed nor sliced.
 *
 * @example
 * ['10-0', '9-5'].sort(compareEventIds); // ['9-5', '10-0']
 */
export function compareEventIds(a: string, b: string): number {
  if (!isEventId(a) || !isEventId(b)) throw new TypeError(`not event ids: ${JSON.stringify([a, b])}`);
  return compareCheckedIds(a, b);
}

/**
 * `compareEventIds` for two ids already known to be ids (checked once where they came in): the relay's fan-out
 * compares one per stream per event, and the two pattern tests were most of that cost at 10,000 streams.
 *
 * @example
 * follow(key, after) { if (!isEventId(after)) throw …; } … compareCheckedIds(entry.id, reader.after) > 0
 */
export function compareCheckedIds(a: string, b: string): number {
  if (a === b) return 0;
  const i = a.indexOf('-');
  const j = b.indexOf('-');
  return compareDigits(a, 0, i, b, 0, j) || compareDigits(a, i + 1, a.length, b, j + 1, b.length);
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
