/*
 * Tool input on the wire: serialised the way the API writes it (`{"city": "Paris"}`, a space after `:` and `,`) and
 * streamed as `input_json_delta` fragments cut at arbitrary points, even inside strings and numbers. The SDK
 * concatenates the fragments; only the whole must be valid JSON, by `content_block_stop`.
 */

/** JSON with the API's spacing: `", "` between items and `": "` after keys. */
export function toWireJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => toWireJson(v ?? null)).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${toWireJson(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** A small seeded generator (mulberry32), so the cut points are arbitrary but the same for the same input. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit FNV-1a hash of a string: the seed for its cut points. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/**
 * Cuts `json` into fragments of 1 to `maxPiece` characters, starting with an empty one as the API does. The
 * fragments always concatenate back to `json`; a surrogate pair is never split, so each fragment is valid UTF-16.
 */
export function cutJson(json: string, opts: { seed?: number; maxPiece?: number } = {}): string[] {
  const random = seededRandom(opts.seed ?? hashString(json));
  const maxPiece = Math.max(2, opts.maxPiece ?? 12);
  const fragments = [''];
  let at = 0;
  while (at < json.length) {
    let end = Math.min(json.length, at + 1 + Math.floor(random() * maxPiece));
    if (end < json.length && isHighSurrogate(json.charCodeAt(end - 1))) end++;
    fragments.push(json.slice(at, end));
    at = end;
  }
  return fragments;
}
