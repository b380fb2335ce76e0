/*
 * What a line of evidence (a log line, a probe or container message) says about a dependency: which address, DNS name
 * or Service name it names, and how the connection failed. Pure and linear: fixed regular expressions of ours, run
 * only on lines already cleaned and cut (shared/diagnosis/text.ts); nothing from the text becomes a pattern.
 */

/** How the connection to a dependency failed, as the line tells it. */
export type Failure = 'refused' | 'dns' | 'timeout' | 'needs';

/** One thing a line points at. */
export type Reference =
  /** A ClusterIP (or any IPv4 address) and port: `ECONNREFUSED 10.96.0.15:5432`. */
  | { kind: 'address'; ip: string; port: number }
  /** A cluster DNS name: `postgres.demo.svc.cluster.local`, `postgres.demo.svc`, with an optional port. */
  | { kind: 'dns'; service: string; namespace: string; port?: number }
  /** A bare name a Service may have: `getaddrinfo ENOTFOUND postgres`, `failed to connect to postgres at …`. */
  | { kind: 'name'; name: string }
  /** An upstream the line blames without naming it: `readiness check failed: upstream dependency timed out`. */
  | { kind: 'unnamed' };

export interface LineReferences {
  failure: Failure;
  references: Reference[];
}

const LABEL = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';

const FAILURES: ReadonlyArray<[Failure, RegExp]> = [
  ['refused', /ECONNREFUSED|connection refused/i],
  ['dns', /ENOTFOUND|EAI_AGAIN|no such host|could not resolve|name or service not known|getaddrinfo/i],
  ['timeout', /ETIMEDOUT|timed? ?out\b|i\/o timeout|deadline exceeded/i],
  ['needs', /cannot start without|failed to connect to|unable to connect to|could not connect to|is unavailable/i]
];

const ADDRESS = /\b(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})\b/g;
const DNS_NAME = new RegExp(
  `\\b(${LABEL})\\.(${LABEL})\\.svc(?:\\.cluster\\.local)?\\.?(?::(\\d{1,5}))?(?![-a-z0-9.])`,
  'gi'
);
const NAMED = [
  new RegExp(`(?:failed|unable|could not) to connect to (${LABEL}) at\\b`, 'i'),
  new RegExp(
    `cannot start without (?:its |the )?(?:database|cache|upstream|queue|broker|service|backend) (${LABEL})\\b`,
    'i'
  ),
  new RegExp(`getaddrinfo (?:ENOTFOUND|EAI_AGAIN) (${LABEL})(?![-a-z0-9.])`, 'i')
];
const UNNAMED = /\b(?:upstream|dependency|backend)\b.*\b(?:failed|unavailable|timed? ?out|refused|down)\b/i;

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?\s+/;
const withoutTime = (line: string): string => line.replace(TIMESTAMP, '');

const validIp = (ip: string): boolean => ip.split('.').every((o) => Number(o) <= 255);

/**
 * The references of one line, or undefined when it does not report a failed connection. A line may name a dependency
 * several ways (its DNS name and its ClusterIP); each is returned, and the resolution joins them.
 *
 * @example
 * referencesIn('Error: connect ECONNREFUSED 10.96.0.15:5432');
 * // → { failure: 'refused', references: [{ kind: 'address', ip: '10.96.0.15', port: 5432 }] }
 */
export function referencesIn(line: string): LineReferences | undefined {
  const failure = FAILURES.find(([, re]) => re.test(line))?.[0];
  if (!failure) return undefined;
  const references: Reference[] = [];
  for (const m of line.matchAll(ADDRESS)) {
    const port = Number(m[2]);
    if (validIp(m[1]!) && port > 0 && port < 65536) references.push({ kind: 'address', ip: m[1]!, port });
  }
  for (const m of line.matchAll(DNS_NAME)) {
    const port = m[3] === undefined ? undefined : Number(m[3]);
    references.push({
      kind: 'dns',
      service: m[1]!.toLowerCase(),
      namespace: m[2]!.toLowerCase(),
      ...(port ? { port } : {})
    });
  }
  for (const re of NAMED) {
    const m = re.exec(line);
    if (m && !references.some((r) => r.kind === 'dns' && r.service === m[1]!.toLowerCase()))
      references.push({ kind: 'name', name: m[1]!.toLowerCase() });
  }
  if (references.length === 0 && UNNAMED.test(line)) references.push({ kind: 'unnamed' });
  const unique = [...new Map(references.map((r) => [referenceKey(r), r])).values()];
  return unique.length > 0 ? { failure, references: unique } : undefined;
}

/**
 * Every reference of a set of lines, each with the lines that name it (at most `maxLines` kept per reference).
 *
 * @example
 * collectReferences(['Error: connect ECONNREFUSED 10.96.0.15:5432']).get('address 10.96.0.15:5432');
 */
export function collectReferences(
  lines: readonly string[],
  maxLines = 3
): Map<string, { reference: Reference; failures: Set<Failure>; lines: string[] }> {
  const out = new Map<string, { reference: Reference; failures: Set<Failure>; lines: string[] }>();
  for (const line of lines) {
    const found = referencesIn(line);
    if (!found) continue;
    for (const r of found.references) {
      const key = referenceKey(r);
      const entry = out.get(key) ?? { reference: r, failures: new Set<Failure>(), lines: [] };
      entry.failures.add(found.failure);
      // The same line from another run differs only by its timestamp: keep one.
      const same = entry.lines.some((l) => withoutTime(l) === withoutTime(line));
      if (entry.lines.length < maxLines && !same) entry.lines.push(line);
      out.set(key, entry);
    }
  }
  return out;
}

/** A reference as a stable key: `address 10.96.0.15:5432`, `dns demo/postgres:5432`, `name postgres`, `unnamed`. */
export function referenceKey(r: Reference): string {
  switch (r.kind) {
    case 'address':
      return `address ${r.ip}:${r.port}`;
    case 'dns':
      return `dns ${r.namespace}/${r.service}${r.port ? `:${r.port}` : ''}`;
    case 'name':
      return `name ${r.name}`;
    case 'unnamed':
      return 'unnamed';
  }
}
