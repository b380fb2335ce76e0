import { readFile } from 'node:fs/promises';
import { attributeProblems } from '../shared/events/attributes.js';
import { eventDef } from '../shared/events/registry.js';
import type { CloudEventRecord } from '../shared/events/http.js';
import { CommandFailedError } from './io.js';

/*
 * A recording: one structured CloudEvent (JSON) per line, as `cortex tail --save` writes it. Every line is checked
 * before anything is sent: JSON, CloudEvents attributes, a catalog type, data that matches the type's schema. Blank
 * lines are skipped.
 */

export interface EventLine {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly event: CloudEventRecord;
}

export interface BadLine {
  readonly line: number;
  readonly reason: string;
}

export interface EventsFile {
  readonly events: EventLine[];
  readonly bad: BadLine[];
}

function dataOf(record: Record<string, unknown>): unknown {
  if (typeof record.data_base64 !== 'string') return record.data;
  const text = Buffer.from(record.data_base64, 'base64').toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Checks one line; returns the event or the reason it cannot be replayed. */
export function parseEventLine(text: string): { event: CloudEventRecord } | { reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { reason: `not JSON: ${(err as Error).message}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { reason: 'not a JSON object (one CloudEvent per line)' };
  const record = parsed as Record<string, unknown>;
  const problems = attributeProblems(record);
  if (problems.length > 0) return { reason: `not a valid CloudEvent: ${problems.join('; ')}` };
  const type = record.type as string;
  const def = eventDef(type);
  if (!def) return { reason: `unknown type "${type}": not in the Cortex catalog, so no Trigger would route it` };
  const { data_base64: _b64, ...rest } = record;
  const data = dataOf(record);
  const check = def.data.safeParse(data);
  if (!check.success) {
    const issues = check.error.issues
      .slice(0, 3)
      .map(
        (i: { path: PropertyKey[]; message: string }) =>
          `${i.path.length ? `data.${i.path.map(String).join('.')}` : 'data'}: ${i.message}`
      );
    const more = check.error.issues.length > 3 ? ` (and ${check.error.issues.length - 3} more)` : '';
    return { reason: `data does not match the schema of ${type}: ${issues.join('; ')}${more}` };
  }
  return { event: { ...rest, data } as CloudEventRecord };
}

/**
 * Reads and checks a whole file. Throws CommandFailedError when it cannot be read.
 *
 * @example
 * const { events, bad } = await readEventsFile('healing.jsonl');
 */
export async function readEventsFile(path: string): Promise<EventsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CommandFailedError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      cause: err
    });
  }
  const events: EventLine[] = [];
  const bad: BadLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const r = parseEventLine(raw);
    if ('event' in r) events.push({ line: i + 1, event: r.event });
    else bad.push({ line: i + 1, reason: r.reason });
  });
  return { events, bad };
}

/** True for a dead letter: the original event plus the knativeerror* extensions of a failed delivery. */
export const isDeadLetter = (e: CloudEventRecord): boolean => e.knativeerrordest !== undefined;
