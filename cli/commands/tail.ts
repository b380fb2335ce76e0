import { closeSync, openSync, writeSync } from 'node:fs';
import type { CloudEventRecord } from '../../shared/events/http.js';
import type { Config } from '../../shared/runtime/config.js';
import { intFlag, parseCommand, stringFlag } from '../args.js';
import { resolveEndpoints } from '../defaults.js';
import { CommandFailedError, EXIT, UsageError, type ExitCode, type Io } from '../io.js';
import { follow } from '../tail/follow.js';
import { formatEvent } from '../tail/format.js';
import type { SseFrame } from '../../shared/sse/reader.js';

export const TAIL_USAGE = `cortex tail [--session <id>] [--save <file.jsonl>] [--history <n>] [--relay <url>] [--token <token>]

  Follows every Cortex CloudEvent on the relay's operator stream, one readable line each, until Ctrl-C.
  Reconnects by itself after a cut and resumes after the last event seen (Last-Event-ID).

  --session <id>      only the events of this chat session's healings
  --save <file>       also append every event, whole, as one JSON line (a recording for cortex replay / cortex kn)
  --history <n>       start with the last n events the relay holds (default 10; 0 with --save, so a recording
                      holds only what happens from now on)
  --relay <url>       relay base URL (default: CORTEX_RELAY_URL, else the local stack's front door)
  --token <token>     operator token (default: CORTEX_OPERATOR_TOKEN, else the local stack's)`;

const SESSION = /^[A-Za-z0-9_-]{8,128}$/;

export interface TailDeps {
  config: Config;
  fetch?: typeof fetch;
  /** Ends the tail (default: SIGINT or SIGTERM). */
  signal?: AbortSignal;
}

function stopOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  };
}

/**
 * @example
 * await tailCommand(['--save', 'healing.jsonl'], processIo, { config: loadConfig() });
 */
export async function tailCommand(argv: readonly string[], io: Io, deps: TailDeps): Promise<ExitCode> {
  const { flags } = parseCommand(
    'tail',
    argv,
    {
      session: { type: 'string' },
      save: { type: 'string' },
      history: { type: 'string' },
      relay: { type: 'string' },
      token: { type: 'string' }
    },
    0
  );
  const session = stringFlag(flags, 'session');
  if (session !== undefined && !SESSION.test(session))
    throw new UsageError('--session must be 8-128 letters, digits, "_" or "-"', 'tail');
  const save = stringFlag(flags, 'save');
  const history = intFlag('tail', flags, 'history', save ? 0 : 10);
  const endpoints = await resolveEndpoints('tail', deps.config);
  const relay = endpoints.relay(stringFlag(flags, 'relay'));
  const token = endpoints.operatorToken(stringFlag(flags, 'token'));
  const query = new URLSearchParams({ operator: '1', history: String(history), ...(session ? { session } : {}) });

  let fd: number | undefined;
  if (save) {
    try {
      fd = openSync(save, 'a');
    } catch (err) {
      throw new CommandFailedError(`cannot write ${save}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const signals = deps.signal ? undefined : stopOnSignals();
  let count = 0;
  const onFrame = (frame: SseFrame): void => {
    if (frame.event === 'connected')
      return io.err(`connected to ${relay} (operator stream${session ? `, session ${session}` : ''})`);
    if (frame.event === 'resync') {
      const d = JSON.parse(frame.data) as { missedFrom?: string; oldest?: string };
      return io.err(
        `warning: events ${d.missedFrom} to ${Number(d.oldest) - 1} are gone from the relay's buffer; continuing from ${d.oldest}`
      );
    }
    if (!frame.event.startsWith('dev.')) return;
    const event = JSON.parse(frame.data) as CloudEventRecord;
    count++;
    if (fd !== undefined) writeSync(fd, JSON.stringify(event) + '\n');
    io.out(formatEvent(event));
  };
  try {
    await follow({
      url: `${relay}/events?${query}`,
      token,
      fetch: deps.fetch,
      signal: deps.signal ?? signals!.signal,
      onFrame,
      onStatus: (m) => io.err(m)
    });
  } finally {
    signals?.dispose();
    if (fd !== undefined) closeSync(fd);
  }
  io.err(`stopped after ${count} event${count === 1 ? '' : 's'}${save ? `; recorded in ${save}` : ''}`);
  return EXIT.ok;
}
