/*
 * How kn-plugin-event reads `-f path=value` (knative-extensions/kn-plugin-event internal/cli/create.go,
 * CreateWithArgs): the value becomes a boolean if it is exactly "true" or "false", else a number if it is an int64
 * written as Go's %d writes it ("123", "-5") or a float written as Go's %f writes it ("1.500000", "NaN", "+Inf"),
 * else a string. `--raw-field` always gives a string. Paths are split on "." into nested objects
 * (pkg/event/create.go, updateMapWithSpec): there is no array index, no way to write null or an empty object, and
 * no key containing ".".
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** What kn makes of a `-f` value: a boolean, a number, or the string itself. */
export function knTyped(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^-?(0|[1-9]\d*)$/.test(value) && value !== '-0') {
    const n = BigInt(value);
    if (n >= INT64_MIN && n <= INT64_MAX) return Number(n);
  }
  if (value === 'NaN' || value === '+Inf' || value === '-Inf')
    return value === 'NaN' ? NaN : value === '+Inf' ? Infinity : -Infinity;
  if (/^-?\d+\.\d{6}$/.test(value)) {
    const n = Number(value);
    // Go's %f: six decimals, no leading zeros, negative zero keeps its sign.
    if ((Object.is(n, -0) ? '-0.000000' : n.toFixed(6)) === value) return n;
  }
  return value;
}

/** True when kn would not read `value` back as this string from `-f` (so it needs `--raw-field`). */
export const needsRawField = (value: string): boolean => typeof knTyped(value) !== 'string';

/** The `-f` text kn reads back as exactly this number, if there is one. */
export function numberField(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined; // JSON has no NaN or Infinity: kn could not send it either
  const candidates = [Number.isSafeInteger(n) ? String(n) : undefined, Math.abs(n) < 1e21 ? n.toFixed(6) : undefined];
  return candidates.find((c) => c !== undefined && Object.is(knTyped(c), n));
}
