/*
 * Redaction of what leaves the cluster (DESIGN §13): a healing's brief on its way to Claude, and what Cortex's MCP tools
 * hand to an agent's model. Rules run over whole text blocks (a PEM key spans lines, a JSON object may be pretty-printed),
 * in an order where the widest shape goes first, so a private key is one redaction and not twenty. The values removed
 * are never kept: only how many were removed, by kind.
 *
 * Hand-written rather than a library: the secret scanners on npm detect (and report positions of) secrets in files;
 * none redacts text in place with counts, and their rule sets pull in large dependencies for a dozen patterns.
 */

export type RedactionKind =
  | 'private_key'
  | 'key_material'
  | 'jwt'
  | 'connection_string'
  | 'bearer'
  | 'json_secret'
  | 'key_value_secret'
  | 'api_key'
  | 'email';

/** What replaces a redacted value: the kind stays, so a reader knows something was there. */
export const marker = (kind: RedactionKind): string => `[REDACTED:${kind}]`;

/** Names whose values are secrets, as they appear in env files, configs, JSON and log lines. */
const SECRET_NAME =
  '[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|authorization|auth[_-]?key|client[_-]?secret|session[_-]?key)[A-Za-z0-9_.-]*';

/** The words SECRET_NAME needs, for the rules' cheap pre-test. */
const SECRET_WORD =
  /password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|authorization|auth[_-]?key|session[_-]?key/;

interface Rule {
  kind: RedactionKind;
  /** A cheap test on the lowercased text: false when the pattern cannot match (most log text skips most rules). */
  may?: (lower: string) => boolean;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

const whole = (kind: RedactionKind) => (): string => marker(kind);

const RULES: readonly Rule[] = [
  {
    // A PEM private key, across lines; one cut short by a log cap runs to the end of the block.
    kind: 'private_key',
    may: (t) => t.includes('private key'),
    pattern:
      /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$(?![\s\S]))/g,
    replace: whole('private_key')
  },
  {
    kind: 'jwt',
    may: (t) => t.includes('eyj'),
    pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g,
    replace: whole('jwt')
  },
  {
    // scheme://user:password@host: the credentials go, the scheme and host stay (they say what was being reached).
    kind: 'connection_string',
    may: (t) => t.includes('://') && t.includes('@'),
    pattern: /\b([a-zA-Z][a-zA-Z0-9+.-]{1,20}:\/\/)(?!\[REDACTED)[^\s:@/"'<>]+:[^\s@/"'<>]+@/g,
    replace: (_m, scheme) => `${scheme}${marker('connection_string')}@`
  },
  {
    kind: 'bearer',
    may: (t) => /bearer|basic|token|digest/.test(t),
    pattern: /\b(Bearer|Basic|Token|Digest)\s+(?!\[REDACTED)[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (_m, scheme) => `${scheme} ${marker('bearer')}`
  },
  {
    // "password": "…" in JSON, single- or multi-line, escaped quotes included.
    kind: 'json_secret',
    may: (t) => t.includes('"') && SECRET_WORD.test(t),
    pattern: new RegExp(`("${SECRET_NAME}"\\s*:\\s*)"(?!\\[REDACTED)(?:[^"\\\\]|\\\\.)+"`, 'gi'),
    replace: (_m, key) => `${key}"${marker('json_secret')}"`
  },
  {
    // password=…, API_KEY: …, --token …, secret='…' (env files, flags, log lines, YAML).
    kind: 'key_value_secret',
    may: (t) => SECRET_WORD.test(t),
    pattern: new RegExp(
      `(\\b${SECRET_NAME}\\s*(?:=|:|\\s)\\s*)(?!\\[REDACTED|(?:Bearer|Basic|Token|Digest)\\s)("[^"\\n]+"|'[^'\\n]+'|[^\\s,;&"'}\\]]{3,})`,
      'gi'
    ),
    replace: (_m, key) => `${key}${marker('key_value_secret')}`
  },
  {
    // Well-known key shapes even with no name next to them: Anthropic/OpenAI, AWS, GitHub, Slack, Google, Stripe.
    kind: 'api_key',
    pattern:
      /\b(?:sk-(?:ant-)?[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|[rs]k_live_[A-Za-z0-9]{16,})\b/g,
    replace: whole('api_key')
  },
  {
    // What a line-by-line source leaves of a key: a lone BEGIN/END line, or a long base64 run of mixed case and digits
    // (a PEM body line; hex digests and names are not mixed-case).
    kind: 'key_material',
    pattern: /-----(?:BEGIN|END) (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40,}={0,2}/g,
    // A run of one case, or without digits, is a name or a hex digest: kept (and not counted).
    replace: (m) =>
      m.startsWith('-----') || (/[A-Z]/.test(m) && /[a-z]/.test(m) && /[0-9]/.test(m)) ? marker('key_material') : m
  },
  {
    kind: 'email',
    may: (t) => t.includes('@'),
    pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g,
    replace: whole('email')
  }
];

export interface Redacted<T> {
  value: T;
  /** How many values were removed. */
  count: number;
  byKind: Partial<Record<RedactionKind, number>>;
}

/** Redacts one text block (all rules, over the whole block). Pure. */
export function redactText(text: string): Redacted<string> {
  let out = text;
  let count = 0;
  const byKind: Partial<Record<RedactionKind, number>> = {};
  const lower = text.toLowerCase();
  for (const rule of RULES) {
    if (rule.may && !rule.may(lower)) continue;
    out = out.replace(rule.pattern, (...args: unknown[]) => {
      const groups = args.slice(1).filter((a): a is string => typeof a === 'string');
      const replaced = rule.replace(args[0] as string, ...groups);
      if (replaced === args[0]) return replaced;
      count += 1;
      byKind[rule.kind] = (byKind[rule.kind] ?? 0) + 1;
      return replaced;
    });
  }
  return { value: out, count, byKind };
}

const SECRET_KEY = new RegExp(`^${SECRET_NAME}$`, 'i');
const merge = (into: Partial<Record<RedactionKind, number>>, from: Partial<Record<RedactionKind, number>>): void => {
  for (const [k, n] of Object.entries(from) as [RedactionKind, number][]) into[k] = (into[k] ?? 0) + n;
};

/**
 * Redacts every string of a JSON-like value; a property named like a secret (`password`, `apiKey`) loses its value
 * whatever it holds. Returns a new value; the input is not changed.
 *
 * @example
 * redactDeep({ log: 'DB_PASSWORD=hunter2' }); // → { value: { log: 'DB_PASSWORD=[REDACTED:key_value_secret]' }, count: 1, … }
 */
export function redactDeep<T>(input: T): Redacted<T> {
  let count = 0;
  const byKind: Partial<Record<RedactionKind, number>> = {};
  const walk = (v: unknown, key: string | undefined): unknown => {
    if (key !== undefined && SECRET_KEY.test(key) && (typeof v === 'string' || typeof v === 'number') && v !== '') {
      count += 1;
      byKind.key_value_secret = (byKind.key_value_secret ?? 0) + 1;
      return marker('key_value_secret');
    }
    if (typeof v === 'string') {
      const r = redactText(v);
      count += r.count;
      merge(byKind, r.byKind);
      return r.value;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, undefined));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, k)]));
    }
    return v;
  };
  return { value: walk(input, undefined) as T, count, byKind };
}

/**
 * Cuts a text block to `max` characters, keeping its end (the end of a log holds the crash). Cut what is already
 * redacted: a cut through a secret could leave a piece no rule recognises (a PEM body without its BEGIN line).
 */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `…${text.slice(text.length - max + 1)}`;
}
