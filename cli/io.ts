/*
 * What every command shares: where it writes (stdout for results, stderr for progress, warnings and errors) and the
 * two failures a command can end with. Exit codes: 0 ok, 1 failure, 2 usage error.
 */

export interface Io {
  /** A result line (stdout). */
  out(line: string): void;
  /** Progress, warnings and errors (stderr). */
  err(line: string): void;
}

export const processIo: Io = {
  out: (line) => void process.stdout.write(line + '\n'),
  err: (line) => void process.stderr.write(line + '\n')
};

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The command line is wrong: exit 2, with the usage of the command. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command could not do its job (unreachable broker, unreadable file, refused token): exit 1. */
export class CommandFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommandFailedError';
  }
}

/** "1-3, 7, 9-12": line numbers as compact ranges, for messages about many lines. */
export function lineRanges(lines: readonly number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** "1 event", "3 events". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
