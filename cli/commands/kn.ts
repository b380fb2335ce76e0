import { eventDef } from '../../shared/events/registry.js';
import { parseCommand, stringFlag } from '../args.js';
import { readEventsFile } from '../events-file.js';
import { CommandFailedError, EXIT, plural, UsageError, type ExitCode, type Io } from '../io.js';
import { knCommand, shellLine } from '../kn/translate.js';

export const KN_USAGE = `cortex kn <file.jsonl> [--broker default] [--namespace cortex] [--new-ids]

  Prints, for each recorded event, the kn command that sends it again (kn-plugin-event ≥ 1.16):
  kn event send --to broker:<name>:<ns> -t <type> -i <id> -s <source> -f <path>=<value> …
  Nested data becomes dotted -f paths; numbers and booleans are typed -f values; strings kn would read as a number
  or boolean are --raw-field. What kn cannot express (arrays, null, empty objects, keys with ".", extension
  attributes, subject) is named on stderr; the commands go to stdout.

  --broker <name>      broker name (default: default)
  --namespace <ns>     broker namespace (default: cortex)
  --new-ids            leave out -i: kn sends a random id, so consumers do not deduplicate the event`;

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * @example
 * await knCommandLine(['healing.jsonl'], processIo); // prints one `kn event send` line per event
 */
export async function knCommandLine(argv: readonly string[], io: Io): Promise<ExitCode> {
  const { flags, positionals } = parseCommand(
    'kn',
    argv,
    { broker: { type: 'string' }, namespace: { type: 'string' }, 'new-ids': { type: 'boolean' } },
    1
  );
  const broker = stringFlag(flags, 'broker') ?? 'default';
  const namespace = stringFlag(flags, 'namespace') ?? 'cortex';
  for (const [what, v] of [
    ['--broker', broker],
    ['--namespace', namespace]
  ] as const) {
    if (!NAME.test(v))
      throw new UsageError(`${what} must be a Kubernetes name (lowercase letters, digits, "-"), got "${v}"`, 'kn');
  }
  const file = positionals[0]!;
  const { events, bad } = await readEventsFile(file);
  if (bad.length > 0) {
    for (const b of bad) io.err(`${file}:${b.line}: ${b.reason}`);
    throw new CommandFailedError(`${plural(bad.length, 'bad line')} in ${file}: no commands printed`);
  }
  if (events.length === 0) throw new CommandFailedError(`${file} holds no events`);
  const dropped = new Set<string>();
  let warned = 0;
  for (const { line, event } of events) {
    const cmd = knCommand(event, { broker, namespace, newIds: flags['new-ids'] === true });
    io.out(shellLine(cmd.argv));
    cmd.droppedExtensions.forEach((e) => dropped.add(e));
    for (const w of cmd.warnings) io.err(`warning: line ${line} (${event.type}): ${w}`);
    // What kn would send must still pass the type's schema, or every consumer answers 400.
    const check = eventDef(event.type)!.data.safeParse(cmd.data);
    if (!check.success) {
      const fields = [
        ...new Set(check.error.issues.map((i: { path: PropertyKey[] }) => `data.${i.path.map(String).join('.')}`))
      ].join(', ');
      io.err(
        `warning: line ${line} (${event.type}): without ${fields} the event does not match its schema and consumers reject it (400); send this line with \`cortex replay\` instead`
      );
    }
    if (cmd.warnings.length > 0 || !check.success) warned++;
  }
  if (dropped.size > 0) {
    io.err(
      `note: kn cannot set extension attributes; not carried: ${[...dropped].sort().join(', ')}. They are for observability only: ` +
        'Triggers route on type, so the events still reach the same functions.'
    );
  }
  if (warned > 0)
    io.err(
      `${plural(warned, 'event')} of ${events.length} cannot be sent exactly as recorded with kn (see the warnings above)`
    );
  return EXIT.ok;
}
