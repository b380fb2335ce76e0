import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { knTyped, numberField } from '../../../cli/kn/fields.js';
import { jsonlFile, runCli } from '../../helpers/cli.js';
import { knEvent, shellWords } from '../../helpers/kn.js';

/*
 * `cortex kn` must print commands that send the recorded event again: each printed line is split as a shell would,
 * read as kn-plugin-event reads its flags, and the resulting event is compared with the recording, data included.
 */

type Json = Record<string, unknown>;
const FIXTURES = 'test/fixtures/events';
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .map(
    (f) =>
      JSON.parse(readFileSync(`${FIXTURES}/${f}`, 'utf8')) as Json & { type: string; id: string; source: string; data: Json }
  );

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Paths (data.a.b) kn cannot write, found independently of the CLI: arrays, null, empty objects, keys with "." or "=". */
function inexpressible(value: Json, prefix = 'data'): string[] {
  return Object.entries(value).flatMap(([k, v]) => {
    const path = `${prefix}.${k}`;
    if (k.includes('.') || k.includes('=') || k === '') return [prefix];
    if (Array.isArray(v) || v === null || (isObject(v) && Object.keys(v).length === 0)) return [path];
    return isObject(v) ? inexpressible(v, path) : [];
  });
}

/** The data without the given paths (what kn can send), pruning objects left empty. */
function without(value: Json, paths: string[], prefix = 'data'): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    const path = `${prefix}.${k}`;
    if (paths.includes(path) || (paths.includes(prefix) && (k.includes('.') || k.includes('=')))) continue;
    if (isObject(v)) {
      const inner = without(v, paths, path);
      if (Object.keys(inner).length > 0) out[k] = inner;
    } else out[k] = v;
  }
  return out;
}

async function knLines(
  events: Json[],
  extra: string[] = []
): Promise<{ code: number; commands: string[]; stderr: string[] }> {
  const run = await runCli(['kn', jsonlFile(events), ...extra]);
  return { code: run.code, commands: run.stdout.filter((l) => l.startsWith('kn ')), stderr: run.stderr };
}

describe('CLI: cortex kn', () => {
  it.each(fixtures.map((f) => [f.type, f] as const))(
    'prints a kn command for %s that sends the recorded event again',
    async (_type, fixture) => {
      // Prepare
      const lost = inexpressible(fixture.data);
      // Act
      const { code, commands, stderr } = await knLines([fixture]);
      const sent = knEvent(shellWords(commands[0]!));
      // Assess
      expect(code).toBe(0);
      expect(commands).toHaveLength(1);
      expect(sent.to).toBe('broker:default:cortex');
      expect({ type: sent.type, id: sent.id, source: sent.source }).toEqual({
        type: fixture.type,
        id: fixture.id,
        source: fixture.source
      });
      expect(sent.data).toEqual(without(fixture.data, lost));
      // Every value kn cannot carry is named on stderr, and nothing else is.
      const warned = stderr
        .filter((l) => l.startsWith('warning:'))
        .flatMap((l) => /: (data(\.[^:\s]+)?): /.exec(l)?.[1] ?? []);
      expect(new Set(warned)).toEqual(new Set(lost));
    }
  );

  it('round-trips every fixture whose data has no arrays, nulls or empty objects in full', async () => {
    // Prepare
    const plain = fixtures.filter((f) => inexpressible(f.data).length === 0);
    // Act
    const { commands } = await knLines(plain);
    // Assess
    expect(plain.map((f) => f.type)).toEqual(
      expect.arrayContaining(['dev.cortex.error.reported', 'dev.cortex.chat.delayed', 'dev.knative.sources.ping'])
    );
    expect(commands.map((c) => knEvent(shellWords(c)).data)).toEqual(plain.map((f) => f.data));
  });

  it('types numbers and booleans with -f, and keeps strings that look like them strings with --raw-field', async () => {
    // Prepare
    const data = {
      component: 'chat',
      category: 'mcp_http_error',
      message: 'it\'s "quoted", has = signs, $HOME, `ticks`, a\nnewline and ünïcode',
      occurredAt: '2026-11-27T10:00:00.000Z',
      httpStatus: 503,
      errorCode: '123',
      extra: {
        yes: 'true',
        no: false,
        zero: '0',
        half: 1.5,
        tenth: 0.1,
        neg: -3,
        big: 1e20,
        f: '1.500000',
        nan: 'NaN',
        inf: '+Inf',
        padded: '007',
        plus: '+5'
      }
    };
    const event = { specversion: '1.0', id: 'e-1', source: '/cortex/chat', type: 'dev.cortex.error.reported', data };
    // Act
    const { commands, stderr } = await knLines([event]);
    const sent = knEvent(shellWords(commands[0]!));
    // Assess
    expect(sent.data).toEqual(data);
    expect(commands).toHaveLength(1);
    // bash reads the line into the same words
    const words = execFileSync('bash', ['-c', `set -- ${commands[0]!.slice(3)}; printf '%s\\0' "$@"`], { encoding: 'utf8' })
      .split('\0')
      .slice(0, -1);
    expect(['kn', ...words]).toEqual(shellWords(commands[0]!));
    expect(commands[0]).toContain('--raw-field errorCode=123');
    expect(commands[0]).toContain('-f httpStatus=503');
    expect(commands[0]).toContain('-f extra.half=1.500000');
    expect(commands[0]).toContain('-f extra.padded=007'); // kn reads 007 as a string: no need for --raw-field
    expect(stderr.filter((l) => l.startsWith('warning:'))).toEqual([]);
  });

  it('warns about what kn cannot express: arrays, null, empty objects, dotted keys, numbers it cannot read exactly, subject', async () => {
    // Prepare
    const data = {
      component: 'chat',
      category: 'mcp_unreachable',
      message: 'm',
      occurredAt: '2026-11-27T10:00:00.000Z',
      extra: { list: [1], nothing: null, empty: {}, 'a.b': 'x', tiny: 2.5e-7, ok: 'kept' }
    };
    const event = {
      specversion: '1.0',
      id: 'e-2',
      source: '/x',
      type: 'dev.cortex.error.reported',
      subject: 's',
      correlationid: 'c',
      data
    };
    // Act
    const { commands, stderr } = await knLines([event]);
    // Assess
    expect(knEvent(shellWords(commands[0]!)).data).toEqual({ ...data, extra: { ok: 'kept' } });
    const warnings = stderr.filter((l) => l.startsWith('warning:')).join('\n');
    for (const what of [
      'data.extra.list: an array',
      'data.extra.nothing: null',
      'data.extra.empty: an empty object',
      '"a.b"',
      'data.extra.tiny',
      'subject "s"'
    ]) {
      expect(warnings).toContain(what);
    }
    expect(stderr.join('\n')).toContain('not carried: correlationid');
  });

  it('says of a signed request that replayed on its own it does not act, and to replay its root error instead', async () => {
    // Prepare
    const request = fixtures.find((f) => f.type === 'dev.cortex.remediation.scale_up.requested')!;
    const signedRequest = {
      ...request,
      data: { ...request.data, signature: { expiresAt: '2026-11-27T10:05:00.000Z', value: 'x'.repeat(43) } }
    };
    // Act
    const { stderr } = await knLines([signedRequest]);
    const unsigned = await knLines([request]);
    // Assess
    expect(stderr.join('\n')).toMatch(/signed by its sender .*does not act.*replay the root dev\.cortex\.error\.reported/);
    expect(unsigned.stderr.join('\n')).not.toContain('signed by its sender');
  });

  it('names the lists kn cannot write; the event it sends still validates, because lists default to empty', async () => {
    // Prepare
    const started = fixtures.find((f) => f.type === 'dev.cortex.healing.started')!;
    // Act
    const { code, stderr } = await knLines([started]);
    // Assess
    expect(code).toBe(0);
    const text = stderr.join('\n');
    expect(text).toMatch(/data\.checks: an array \(8 items\) cannot be written with -f/);
    expect(text).toMatch(/data\.sessionIds: an array \(1 item\) cannot be written with -f/);
    expect(text).not.toMatch(/does not match its schema/);
  });

  it('uses --broker and --namespace in --to, and leaves out -i with --new-ids', async () => {
    // Prepare
    const fixture = fixtures.find((f) => f.type === 'dev.cortex.error.reported')!;
    // Act
    const { commands } = await knLines([fixture], ['--broker', 'kafka-broker', '--namespace', 'ops', '--new-ids']);
    const sent = knEvent(shellWords(commands[0]!));
    // Assess
    expect(sent.to).toBe('broker:kafka-broker:ops');
    expect(sent.id).toBeUndefined();
  });

  it('reads -f values the way kn does', () => {
    // Prepare
    const cases: Array<[string, unknown]> = [
      ['123', 123],
      ['true', true],
      ['True', 'True'],
      ['1.5', '1.5'],
      ['1.500000', 1.5],
      ['+5', '+5'],
      ['007', '007'],
      ['-0', '-0'],
      ['9223372036854775808', '9223372036854775808']
    ];
    // Act
    const read = cases.map(([s]) => knTyped(s));
    // Assess
    expect(read).toEqual(cases.map(([, v]) => v));
    expect([numberField(3), numberField(0.25), numberField(1e20), numberField(2.5e-7)]).toEqual([
      '3',
      '0.250000',
      '100000000000000000000.000000',
      undefined
    ]);
  });
});
