/*
 * What `kn event send` would send for a command line, for tests: a POSIX shell's word splitting, then
 * kn-plugin-event's own reading of its flags, ported from knative-extensions/kn-plugin-event
 * (internal/cli/create.go CreateWithArgs, readAsBoolean, readAsFloat64, readAsInt64; pkg/event/create.go
 * updateMapWithSpec). Written independently of cli/kn so that the two can disagree.
 */

/** Splits a command line as a shell does: whitespace, '…' (literal), $'…' (escapes), "…" (\ escapes " \ $ `), \ outside quotes. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '$' && line[i + 1] === "'") {
      // $'…' (bash, zsh, ksh, POSIX.1-2024): backslash escapes
      for (i += 2; i < line.length && line[i] !== "'"; i++) {
        if (line[i] !== '\\') {
          word += line[i];
          continue;
        }
        const e = line[++i]!;
        if (e === 'x') {
          word += String.fromCharCode(parseInt(line.slice(i + 1, i + 3), 16));
          i += 2;
        } else word += ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[e] ?? e;
      }
      if (i >= line.length) throw new Error(`unterminated $' in ${line}`);
      inWord = true;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in ${line}`);
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      i++;
      for (; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && '"\\$`'.includes(line[i + 1] ?? '')) i++;
        word += line[i];
      }
      if (i >= line.length) throw new Error(`unterminated " in ${line}`);
      inWord = true;
    } else if (c === '\\') {
      word += line[++i] ?? '';
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function goParseInt64(s: string): number | undefined {
  // strconv.ParseInt(s, 10, 64), accepted only when fmt.Sprintf("%d", v) gives s back
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  if (v < -(2n ** 63n) || v > 2n ** 63n - 1n) return undefined;
  return v.toString() === s ? Number(v) : undefined;
}

function goFormatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0.000000';
  return v.toFixed(6);
}

function goParseFloat(s: string): number | undefined {
  // strconv.ParseFloat accepts decimal, exponent, inf/infinity/nan in any case, with an optional sign
  const lower = s.toLowerCase();
  let v: number;
  if (/^[+-]?(inf|infinity)$/.test(lower)) v = lower.startsWith('-') ? -Infinity : Infinity;
  else if (lower === 'nan') v = NaN;
  else if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(lower)) v = Number(s);
  else return undefined;
  return goFormatF(v) === s ? v : undefined;
}

function typed(value: string): unknown {
  if (value === 'true' || value === 'false') return value === 'true'; // ParseBool, then "%t" must give it back
  const int = goParseInt64(value);
  if (int !== undefined) return int;
  const float = goParseFloat(value);
  if (float !== undefined) return float;
  return value;
}

function setPath(data: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = data;
  parts.forEach((p, i) => {
    if (i === parts.length - 1) {
      cur[p] = value;
      return;
    }
    if (!(p in cur)) cur[p] = {};
    const next = cur[p];
    if (next === null || typeof next !== 'object' || Array.isArray(next))
      throw new Error(`can't set field: ${path} in conflict with ${JSON.stringify(next)}`);
    cur = next as Record<string, unknown>;
  });
}

export interface KnEvent {
  to: string | undefined;
  type: string;
  id: string | undefined;
  source: string;
  data: Record<string, unknown>;
}

/** The event `kn event send …` builds from its arguments (defaults: type generic, id random (undefined here)). */
export function knEvent(argv: readonly string[]): KnEvent {
  if (argv.slice(0, 3).join(' ') !== 'kn event send') throw new Error(`not a kn event send command: ${argv.join(' ')}`);
  const out: KnEvent = {
    to: undefined,
    type: 'dev.knative.cli.plugin.event.generic',
    id: undefined,
    source: 'kn-event',
    data: {}
  };
  const fields: string[] = [];
  const raw: string[] = [];
  for (let i = 3; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`${name} needs a value`);
    if (name === '--to' || name === '-r') out.to = value;
    else if (name === '-t' || name === '--type') out.type = value;
    else if (name === '-i' || name === '--id') out.id = value;
    else if (name === '-s' || name === '--source') out.source = value;
    else if (name === '-f' || name === '--field') fields.push(value);
    else if (name === '--raw-field') raw.push(value);
    else throw new Error(`kn event send has no flag ${name}`);
  }
  // CreateWithArgs: every --field first, then every --raw-field; each is split once on "=".
  for (const f of fields) {
    const at = f.indexOf('=');
    if (at < 0) throw new Error(`-f ${f}: no "="`);
    setPath(out.data, f.slice(0, at), typed(f.slice(at + 1)));
  }
  for (const f of raw) {
    const at = f.indexOf('=');
    if (at < 0) throw new Error(`--raw-field ${f}: no "="`);
    setPath(out.data, f.slice(0, at), f.slice(at + 1));
  }
  return out;
}
