/*
 * Text that comes from the cluster (container logs, event and status messages) is untrusted input: it may carry
 * terminal escape sequences, control characters, bidi overrides or megabytes on one line. Everything a check
 * quotes in a summary or evidence goes through here first, so a browser or terminal only ever shows plain text.
 */

// CSI (`ESC [ … final`), OSC (`ESC ] … BEL|ST`) and two-character escapes. Fixed patterns, linear on any input.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]/g;
// C0 controls (tab and newline handled by the callers), DEL, C1 controls, bidi overrides and isolates.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The longest line quoted anywhere, in characters. */
export const MAX_LINE_CHARS = 300;

/**
 * One line of plain text: escape sequences and control characters removed, tabs and newlines as spaces, runs of
 * whitespace collapsed, cut to `max` characters with an ellipsis.
 *
 * @example
 * cleanLine('\u001b[31mERROR\u001b[0m\tboom'); // → 'ERROR boom'
 */
export function cleanLine(raw: string, max = MAX_LINE_CHARS): string {
  // Bound the work before any regex runs: a 1 MB line is cut to a few times what we keep.
  const bounded = raw.length > max * 4 ? raw.slice(0, max * 4) : raw;
  const text = bounded
    .replace(ANSI, '')
    .replace(CONTROL, '')
    .replace(/[\t\r\n]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return text.length > max || raw.length > bounded.length ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/**
 * Splits untrusted multi-line text into clean lines: only the first `maxChars` of input are read, each line cleaned and cut
 * by {@link cleanLine}, empty lines dropped, and the last `maxLines` kept.
 *
 * @example
 * cleanLines('a\n\u0007b\n\nc', { maxLines: 2 }); // → ['b', 'c']
 */
export function cleanLines(
  raw: string,
  opts: { maxChars?: number; maxLines?: number; maxLineChars?: number } = {}
): string[] {
  const { maxChars = 256 * 1024, maxLines = 1000, maxLineChars = MAX_LINE_CHARS } = opts;
  // Keep the start of an oversized text, as the API's limitBytes does: a server that ignores it gets the same cut.
  const text = raw.length > maxChars ? raw.slice(0, maxChars) : raw;
  return text
    .split('\n')
    .map((l) => cleanLine(l, maxLineChars))
    .filter((l) => l.length > 0)
    .slice(-maxLines);
}

/**
 * Joins names for a summary: all of them up to `max`, then "and N more".
 *
 * @example
 * listNames(['a', 'b', 'c', 'd'], 2); // → 'a, b and 2 more'
 */
export function listNames(names: readonly string[], max = 3): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/**
 * "1 pod", "3 pods".
 *
 * @example
 * plural(2, 'restart'); // → '2 restarts'
 */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
