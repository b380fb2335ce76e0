import type { Config } from '../../shared/runtime/config.js';
import { parseCommand } from '../args.js';
import { resolveEndpoints } from '../defaults.js';
import { readEventsFile, type EventLine } from '../events-file.js';
import { CommandFailedError, EXIT, lineRanges, plural, type ExitCode, type Io } from '../io.js';
import { asRecorded, planReplay, renewer } from '../replay/plan.js';
import { sendEvents, type SendReport } from '../replay/send.js';

export const REPLAY_USAGE = `cortex replay <file.jsonl> [--to <broker-url>] [--new-ids] [--all] [--dry-run]

  Re-sends recorded CloudEvents to the broker, in file order, in binary mode. Every line is checked first; a bad
  line (with its number and reason) stops the replay before anything is sent.
  By default only the events nothing else in the file caused are sent (an error.reported, a CLI send): the functions
  derive the rest again, as they did the first time. --all sends every line. Dead letters are never sent.

  --to <url>    broker ingress (default: K_SINK, else the local stack's broker from .cortex/local.json)
  --new-ids     send them as new events: fresh ids, the current time (also for occurredAt) and a new trace.
                Without it ids are kept, and consumers that already handled an event deduplicate it on (source, id)
  --all         also send events derived from earlier lines of the file
  --dry-run     check the file and show what would be sent; send nothing`;

/** Progress goes to stderr for replays of at least this many events, every tenth of the way. */
const PROGRESS_FROM = 100;

export interface ReplayDeps {
  config: Config;
  fetch?: typeof fetch;
  now?: () => Date;
}

function report(io: Io, r: SendReport, total: number): ExitCode {
  for (const x of r.rejected) io.err(`rejected line ${x.line} (${x.type}): the broker answered ${x.status}: ${x.reason}`);
  if (r.stopped) {
    const lines = r.unsent.map((l) => l.line);
    io.err(`error: stopped at line ${r.stopped.line}: ${r.stopped.reason}`);
    io.err(`not sent: ${plural(lines.length, 'event')} (line${lines.length === 1 ? '' : 's'} ${lineRanges(lines)})`);
  }
  const sentLines = r.sent.map((l) => l.line);
  const summary = `${r.sent.length} of ${plural(total, 'event')} sent${sentLines.length ? ` (line${sentLines.length === 1 ? '' : 's'} ${lineRanges(sentLines)})` : ''}, ${r.rejected.length} rejected, ${r.unsent.length} not sent`;
  io.out(`done: ${summary}`);
  return r.rejected.length === 0 && r.unsent.length === 0 ? EXIT.ok : EXIT.failure;
}

/**
 * @example
 * const code = await replayCommand(['healing.jsonl', '--new-ids'], processIo, { config: loadConfig() });
 */
export async function replayCommand(argv: readonly string[], io: Io, deps: ReplayDeps): Promise<ExitCode> {
  const { flags, positionals } = parseCommand(
    'replay',
    argv,
    { to: { type: 'string' }, 'new-ids': { type: 'boolean' }, all: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
    1
  );
  const file = positionals[0]!;
  const newIds = flags['new-ids'] === true;
  const dryRun = flags['dry-run'] === true;
  const { events, bad } = await readEventsFile(file);
  if (bad.length > 0) {
    for (const b of bad) io.err(`${file}:${b.line}: ${b.reason}`);
    throw new CommandFailedError(`${plural(bad.length, 'bad line')} in ${file}: nothing sent`);
  }
  if (events.length === 0) throw new CommandFailedError(`${file} holds no events: nothing sent`);

  const endpoints = await resolveEndpoints('replay', deps.config);
  const to = endpoints.broker(typeof flags.to === 'string' ? flags.to : undefined);
  const plan = planReplay(events, { all: flags.all === true });
  io.out(
    `replaying ${plural(plan.send.length, 'event')} of ${events.length} from ${file} to ${to} (binary mode, ${newIds ? 'new ids' : 'ids kept'})`
  );
  if (plan.derived.length > 0) {
    io.out(
      `skipped ${plural(plan.derived.length, 'derived event')} (lines ${lineRanges(plan.derived.map((l) => l.line))}): ` +
        'each was caused by an earlier line, and the functions derive it again; --all sends them too'
    );
  }
  if (plan.deadLetters.length > 0) {
    io.out(
      `skipped ${plural(plan.deadLetters.length, 'dead letter')} (lines ${lineRanges(plan.deadLetters.map((l) => l.line))}): failed deliveries of events of this file`
    );
  }
  if (!newIds) {
    io.out(
      "note: ids are kept. Consumers deduplicate on (source, id): an event this broker's functions already handled is " +
        'answered 202 and nothing runs again. To run it again as a new event, replay with --new-ids.'
    );
  }
  const renew = newIds ? renewer(deps.now ?? (() => new Date())) : undefined;
  const outgoing: EventLine[] = plan.send.map((l) => ({
    line: l.line,
    event: renew ? renew(l.event) : asRecorded(l.event)
  }));
  if (dryRun) {
    for (const l of outgoing) io.out(`would send line ${l.line}: ${l.event.type} id=${l.event.id} source=${l.event.source}`);
    io.out(`dry run: nothing sent (${plural(outgoing.length, 'event')} would be)`);
    return EXIT.ok;
  }
  if (outgoing.length === 0) {
    io.out('done: nothing to send');
    return EXIT.ok;
  }
  const recordedId = new Map(plan.send.map((l) => [l.line, l.event.id]));
  const step = Math.ceil(outgoing.length / 10);
  const result = await sendEvents(outgoing, {
    to,
    fetch: deps.fetch,
    token: await endpoints.eventToken(),
    onSent(l) {
      const original = recordedId.get(l.line);
      io.out(
        `sent line ${l.line}: ${l.event.type} id=${l.event.id}${l.event.id !== original ? ` (recorded as ${original})` : ''}`
      );
    },
    onProgress(done, total) {
      if (total >= PROGRESS_FROM && done % step === 0 && done < total)
        io.err(`progress: ${done} of ${total} events processed`);
    }
  });
  return report(io, result, outgoing.length);
}
