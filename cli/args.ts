import { parseArgs } from 'node:util';
import { UsageError } from './io.js';

/*
 * Command-line parsing on node:util parseArgs (strict: an unknown flag or a missing value is a usage error), plus the
 * checks parseArgs does not do: integers, required positionals.
 */

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface Parsed {
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * @example
 * const { flags, positionals } = parseCommand('replay', argv, { to: { type: 'string' }, 'dry-run': { type: 'boolean' } }, 1);
 */
export function parseCommand(command: string, argv: readonly string[], spec: FlagSpec, positionals: number): Parsed {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...spec, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true
    });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''), command);
  }
  if (parsed.values.help) throw new UsageError('', command);
  if (parsed.positionals.length !== positionals) {
    const what = positionals === 0 ? 'takes no arguments' : `takes ${positionals} argument${positionals === 1 ? '' : 's'}`;
    throw new UsageError(
      `${command} ${what}, got ${parsed.positionals.length === 0 ? 'none' : parsed.positionals.join(' ')}`,
      command
    );
  }
  return { flags: parsed.values as Parsed['flags'], positionals: parsed.positionals };
}

/** A non-negative integer flag, or the default. */
export function intFlag(command: string, flags: Parsed['flags'], name: string, def: number): number {
  const v = flags[name];
  if (v === undefined) return def;
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v))
    throw new UsageError(`--${name} must be a non-negative integer, got "${String(v)}"`, command);
  return Number(v);
}

export const stringFlag = (flags: Parsed['flags'], name: string): string | undefined => {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
};
