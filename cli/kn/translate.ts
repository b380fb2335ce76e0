import type { CloudEventRecord } from '../../shared/events/http.js';
import { CORE_ATTRIBUTES } from '../../shared/events/attributes.js';
import { needsRawField, numberField } from './fields.js';

/*
 * One recorded CloudEvent as the `kn event send` command that sends it again (kn ≥ 1.16: `--to broker:<name>:<ns>`).
 * kn sets type, id, source and data fields only: data is written as dotted `-f` paths, typed values as `-f`, strings
 * kn would read as a number or boolean as `--raw-field`. Whatever kn cannot express is named in a warning, and the
 * data kn would send is returned so the caller can check it against the catalog.
 */

export interface KnOptions {
  broker: string;
  namespace: string;
  /** Leave out `-i`, so kn sends a random id (the event is new to every consumer). */
  newIds: boolean;
}

export interface KnCommand {
  readonly argv: string[];
  /** One sentence per value or attribute kn cannot carry. */
  readonly warnings: string[];
  /** The data kn would send (what the command expresses). */
  readonly data: Record<string, unknown>;
  /** Extension attributes the event had, which kn cannot set. */
  readonly droppedExtensions: string[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function flatten(value: unknown, path: string, out: KnCommand, into: Record<string, unknown>, key: string): void {
  const where = `data.${path}`;
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0)
      return void out.warnings.push(`${where}: an empty object cannot be written with -f; kn will leave it out`);
    const child: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      if (k === '' || k.includes('.') || k.includes('=')) {
        out.warnings.push(
          `${where}: the key ${JSON.stringify(k)} cannot be a -f path (kn splits paths on "." and fields on "="); kn will leave it out`
        );
        continue;
      }
      flatten(v, `${path}.${k}`, out, child, k);
    }
    if (Object.keys(child).length > 0) into[key] = child;
    return;
  }
  if (Array.isArray(value)) {
    return void out.warnings.push(
      `${where}: an array (${value.length} item${value.length === 1 ? '' : 's'}) cannot be written with -f; kn will leave it out`
    );
  }
  if (value === null) return void out.warnings.push(`${where}: null cannot be written with -f; kn will leave it out`);
  if (typeof value === 'boolean') {
    out.argv.push('-f', `${path}=${value}`);
  } else if (typeof value === 'number') {
    const text = numberField(value);
    if (text === undefined)
      return void out.warnings.push(
        `${where}: kn reads numbers only as integers or with six decimals; ${value} cannot be written exactly`
      );
    out.argv.push('-f', `${path}=${text}`);
  } else if (typeof value === 'string') {
    out.argv.push(needsRawField(value) ? '--raw-field' : '-f', `${path}=${value}`);
  } else {
    return void out.warnings.push(`${where}: a ${typeof value} cannot be written with -f`);
  }
  into[key] = value;
}

/**
 * @example
 * const cmd = knCommand(event, { broker: 'default', namespace: 'cortex', newIds: false });
 * shellLine(cmd.argv); // → "kn event send --to broker:default:cortex -t dev.cortex.error.reported -i … -f component=chat …"
 */
export function knCommand(event: CloudEventRecord, opts: KnOptions): KnCommand {
  const out: KnCommand = {
    argv: [
      'kn',
      'event',
      'send',
      '--to',
      `broker:${opts.broker}:${opts.namespace}`,
      '-t',
      event.type,
      ...(opts.newIds ? [] : ['-i', event.id]),
      '-s',
      event.source
    ],
    warnings: [],
    data: {},
    droppedExtensions: Object.keys(event).filter((k) => !CORE_ATTRIBUTES.includes(k) && k !== 'data' && k !== 'data_base64')
  };
  if (event.subject !== undefined)
    out.warnings.push(`subject "${event.subject}": kn has no flag for subject; it will not be sent`);
  if (event.dataschema !== undefined) out.warnings.push(`dataschema: kn has no flag for it; it will not be sent`);
  const ct = event.datacontenttype;
  if (ct !== undefined && !/^application\/json\b/i.test(ct))
    out.warnings.push(`datacontenttype ${ct}: kn always sends application/json`);
  const data = event.data;
  if (data === undefined) return out;
  if (isPlainObject(data) && isPlainObject(data.signature))
    out.warnings.push(
      'signed by its sender (data.signature): replayed on its own it does not act, its receiver refuses it as expired or used; ' +
        'replay the root dev.cortex.error.reported of its healing instead (cortex replay sends only roots)'
    );
  if (!isPlainObject(data)) {
    out.warnings.push(
      `data is ${Array.isArray(data) ? 'an array' : `a ${data === null ? 'null' : typeof data}`}: kn sends an object of -f fields only`
    );
    return out;
  }
  for (const [k, v] of Object.entries(data)) {
    if (k === '' || k.includes('.') || k.includes('=')) {
      out.warnings.push(
        `data: the key ${JSON.stringify(k)} cannot be a -f path (kn splits paths on "." and fields on "="); kn will leave it out`
      );
      continue;
    }
    flatten(v, k, out, out.data, k);
  }
  return out;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what has to be escaped
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Quotes one word for the shell: bare when it is safe, else in single quotes ('\'' for a quote). A word with control
 * characters (a newline in a message) is written as $'…' with escapes, so every command stays on one line; that form
 * is bash, zsh and ksh (and POSIX.1-2024) syntax.
 */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  if (!CONTROL.test(word)) return `'${word.replaceAll("'", `'\\''`)}'`;
  const named: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };
  // eslint-disable-next-line no-control-regex -- as above
  const escaped = word.replace(/[\\'\u0000-\u001f\u007f]/g, (c) =>
    c === '\\' || c === "'" ? `\\${c}` : (named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  );
  return `$'${escaped}'`;
}

/** A command line a shell runs as exactly these words. */
export const shellLine = (argv: readonly string[]): string => argv.map(shellQuote).join(' ');
