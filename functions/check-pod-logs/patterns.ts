import { cleanLine } from '../../shared/diagnosis/text.js';

/*
 * The error patterns the log check counts. Fixed, linear regular expressions of ours: log text is only ever
 * matched against them, never turned into a pattern or evaluated. Lines arrive already cleaned (text.ts).
 */

export interface LogPattern {
  id: string;
  label: string;
  test: RegExp;
}

export const PATTERNS: readonly LogPattern[] = [
  { id: 'connection_refused', label: 'connection refused', test: /ECONNREFUSED|connection refused/i },
  {
    id: 'auth_failure',
    label: 'authentication failure',
    test: /\b(?:401|403)\b|unauthori[sz]ed|forbidden|auth(?:entication)? failed|permission denied|invalid (?:api[ _-]?key|token|credentials)/i
  },
  {
    id: 'dns',
    label: 'DNS failure',
    test: /ENOTFOUND|EAI_AGAIN|no such host|getaddrinfo|could not resolve|name or service not known/i
  },
  {
    id: 'crash',
    label: 'panic or fatal error',
    test: /\bpanic\b|\bfatal\b|uncaught exception|unhandled (?:promise )?rejection|segmentation fault/i
  },
  {
    id: 'out_of_memory',
    label: 'out of memory',
    test: /out of memory|heap limit|OutOfMemoryError|cannot allocate memory|\bOOM\b/i
  },
  { id: 'timeout', label: 'timeout', test: /timed? ?out\b|ETIMEDOUT|deadline exceeded/i }
];

export interface PatternHit {
  id: string;
  label: string;
  count: number;
  /** The first few matching lines, cut short for quoting. */
  samples: string[];
}

/**
 * Counts each pattern over clean log lines (a line may match several) and keeps a few matching lines.
 *
 * @example
 * scanLog(['Error: connect ECONNREFUSED 10.96.0.12:5432']); // → [{ id: 'connection_refused', count: 1, … }]
 */
export function scanLog(lines: readonly string[], maxSamples = 3, quoteChars = 240): PatternHit[] {
  const hits = new Map<string, PatternHit>();
  for (const line of lines) {
    for (const p of PATTERNS) {
      if (!p.test.test(line)) continue;
      const hit = hits.get(p.id) ?? { id: p.id, label: p.label, count: 0, samples: [] };
      hit.count += 1;
      if (hit.samples.length < maxSamples) hit.samples.push(cleanLine(line, quoteChars));
      hits.set(p.id, hit);
    }
  }
  return PATTERNS.flatMap((p) => hits.get(p.id) ?? []);
}
