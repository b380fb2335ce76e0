import { describe, expect, it } from 'vitest';
import { parseEventLine, readEventsFile } from '../../../cli/events-file.js';
import { asRecorded, planReplay, renewer } from '../../../cli/replay/plan.js';
import { jsonlFile } from '../../helpers/cli.js';

const reported = {
  specversion: '1.0',
  id: 'err-1',
  source: '/cortex/chat',
  type: 'dev.cortex.error.reported',
  time: '2026-11-27T10:00:00.000Z',
  correlationid: 'err-1',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  knativearrivaltime: '2026-11-27T10:00:00.010Z',
  data: {
    component: 'chat',
    category: 'mcp_unreachable',
    message: 'refused',
    occurredAt: '2026-11-27T10:00:00.000Z',
    target: { namespace: 'demo', service: 'mcp-demo' }
  }
};
const requested = {
  specversion: '1.0',
  id: 'hr-1',
  source: '/cortex/error-intake',
  type: 'dev.cortex.healing.requested',
  correlationid: 'err-1',
  causationid: 'err-1',
  data: {
    target: { namespace: 'demo', service: 'mcp-demo' },
    category: 'mcp_unreachable',
    reportIds: ['err-1'],
    sessionIds: []
  }
};
const deadLetter = {
  ...requested,
  id: 'hr-dl',
  knativeerrordest: 'http://healing-coordinator.cortex.svc/',
  knativeerrorcode: 503
};

describe('CLI: reading a recording', () => {
  it.each([
    ['{not json', /^not JSON: /],
    ['[1,2]', /^not a JSON object/],
    [
      '{"specversion":"1.0","id":"x","type":"dev.cortex.error.reported"}',
      /^not a valid CloudEvent: source: required attribute is missing/
    ],
    [
      '{"specversion":"1.0","id":"x","source":"/s","type":"com.example.other","data":{}}',
      /^unknown type "com\.example\.other"/
    ],
    [
      JSON.stringify({ ...reported, data: { ...reported.data, category: 'nope' } }),
      /^data does not match the schema of dev\.cortex\.error\.reported: data\.category: /
    ]
  ])('rejects %s with a reason', (line, reason) => {
    // Act
    const r = parseEventLine(line);
    // Assess
    expect('reason' in r && r.reason).toMatch(reason);
  });

  it('numbers lines as in the file, skipping blank lines, and lists every bad line', async () => {
    // Prepare
    const file = jsonlFile([reported, '', '{oops', requested, 'null']);
    // Act
    const { events, bad } = await readEventsFile(file);
    // Assess
    expect(events.map((e) => e.line)).toEqual([1, 4]);
    expect(bad.map((b) => b.line)).toEqual([3, 5]);
  });
});

describe('CLI: replay plan', () => {
  const lines = [
    { line: 1, event: reported },
    { line: 2, event: requested },
    { line: 3, event: deadLetter }
  ];

  it('sends the events nothing in the file caused, skips derived ones and dead letters', () => {
    // Act
    const plan = planReplay(lines, { all: false });
    // Assess
    expect(plan.send.map((l) => l.line)).toEqual([1]);
    expect(plan.derived.map((l) => l.line)).toEqual([2]);
    expect(plan.deadLetters.map((l) => l.line)).toEqual([3]);
  });

  it('sends derived events too with --all, and an event whose cause is not in the file', () => {
    // Act
    const all = planReplay(lines, { all: true });
    const alone = planReplay([{ line: 7, event: requested }], { all: false });
    // Assess
    expect(all.send.map((l) => l.line)).toEqual([1, 2]);
    expect(alone.send.map((l) => l.line)).toEqual([7]);
  });

  it('keeps ids as recorded, without the extensions the broker sets', () => {
    // Act
    const out = asRecorded(reported);
    // Assess
    expect(out.id).toBe('err-1');
    expect(out.traceparent).toBe(reported.traceparent);
    expect(out.knativearrivaltime).toBeUndefined();
  });

  it('renews ids, times, occurredAt and the trace with --new-ids, and carries correlation to the new ids', () => {
    // Prepare
    const ids = ['new-1', 'new-2'];
    const renew = renewer(
      () => new Date('2026-12-01T08:00:00.000Z'),
      () => ids.shift()!
    );
    // Act
    const a = renew(reported);
    const b = renew(requested);
    // Assess
    expect(a).toMatchObject({
      id: 'new-1',
      time: '2026-12-01T08:00:00.000Z',
      correlationid: 'new-1',
      data: { occurredAt: '2026-12-01T08:00:00.000Z' }
    });
    expect(a.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(String(a.traceparent).split('-')[1]).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(b).toMatchObject({ id: 'new-2', causationid: 'new-1', correlationid: 'new-1' });
    expect(reported.id).toBe('err-1'); // the recording itself is untouched
  });
});
