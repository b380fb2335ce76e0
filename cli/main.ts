import { ConfigError } from '../shared/runtime/errors.js';
import { loadConfig, type Config } from '../shared/runtime/config.js';
import { helpText, OVERVIEW, USAGES } from './commands/help.js';
import { approvalsCommand, decideCommand } from './commands/approvals.js';
import { knCommandLine } from './commands/kn.js';
import { replayCommand } from './commands/replay.js';
import { sendCommand } from './commands/send.js';
import { tailCommand } from './commands/tail.js';
import { CommandFailedError, EXIT, processIo, UsageError, type ExitCode, type Io } from './io.js';

/*
 * The `cortex` command line (bin/cortex.js): picks the command, runs it, and turns what went wrong into a message on
 * stderr and an exit code: 0 ok, 1 failure, 2 usage error.
 */

export interface MainDeps {
  io?: Io;
  /** Configuration (default: parsed from the environment once a command needs it). */
  config?: () => Config;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

async function dispatch(command: string | undefined, rest: readonly string[], io: Io, deps: MainDeps): Promise<ExitCode> {
  const config = deps.config ?? (() => loadConfig());
  switch (command) {
    case 'tail':
      return tailCommand(rest, io, { config: config(), fetch: deps.fetch, signal: deps.signal });
    case 'send':
      return sendCommand(rest, io, { config: config(), fetch: deps.fetch });
    case 'replay':
      return replayCommand(rest, io, { config: config(), fetch: deps.fetch });
    case 'kn':
      return knCommandLine(rest, io);
    case 'approvals':
      return approvalsCommand(rest, io, { config: config(), fetch: deps.fetch });
    case 'approve':
    case 'deny':
      return decideCommand(command, rest, io, { config: config(), fetch: deps.fetch });
    case undefined:
    case 'help':
    case '--help':
    case '-h': {
      const text = helpText(command === 'help' ? rest[0] : undefined);
      if (text === undefined) throw new UsageError(`no command "${rest[0]}"`);
      io.out(text);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`no command "${command}"`);
  }
}

/**
 * Runs one command line; never throws.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[], deps: MainDeps = {}): Promise<ExitCode> {
  const io = deps.io ?? processIo;
  const [command, ...rest] = argv;
  try {
    return await dispatch(command, rest, io, deps);
  } catch (err) {
    if (err instanceof UsageError) {
      if (err.message) io.err(`cortex: ${err.message}`);
      io.err(err.command ? `usage: ${USAGES[err.command]}` : OVERVIEW);
      return err.message ? EXIT.usage : EXIT.ok;
    }
    if (err instanceof ConfigError) {
      io.err(`cortex: ${err.message}`);
      return EXIT.usage;
    }
    io.err(
      `cortex: ${err instanceof CommandFailedError ? err.message : `unexpected error: ${(err as Error).stack ?? String(err)}`}`
    );
    return EXIT.failure;
  }
}
