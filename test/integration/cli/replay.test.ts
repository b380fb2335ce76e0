import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execCli, jsonlFile } from '../../helpers/cli.js';
import { deadUrl, startFakeBroker, type FakeBroker } from '../../helpers/fake-broker.js';

/*
 * `cortex replay` and `cortex send` as real processes against a broker stand-in: bad files, an unreachable broker,
 * rejected events, a broker that fails mid-way, progress. Nothing may be half-sent without the tool saying so.
 */

/** No local stack and no environment defaults: every test names its broker. */
const ENV = {
  CORTEX_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'cortex-cli-state-')),
  K_SINK: '',
  CORTEX_RELAY_URL: '',
  CORTEX_OPERATOR_TOKEN: ''
};

const report = (i: number): object => ({
  specversion: '1.0',
  id: `err-${String(i).padStart(4, '0')}`,
  source: '/cortex/chat',
  type: 'dev.cortex.error.reported',
  data: {
    component: 'chat',
    category: 'mcp_unreachable',
    message: `failure ${i}`,
    occurredAt: '2026-11-27T10:00:00.000Z',
    target: { namespace: 'demo', service: `svc-${i}` }
  }
});

describe('CLI: cortex replay and cortex send against a broker', () => {
  let broker: FakeBroker | undefined;
  afterEach(async () => {
    await broker?.close();
    broker = undefined;
  });

  it('names every bad line with its number and reason, and sends nothing', async () => {
    // Prepare
    broker = await startFakeBroker();
    const file = jsonlFile([
      report(1),
      '{"specversion":"1.0",',
      report(3),
      JSON.stringify({ ...report(4), type: 'dev.cortex.nope' })
    ]);
    // Act
    const run = await execCli(['replay', file, '--to', broker.url], ENV);
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr.find((l) => l.startsWith(`${file}:2: `))).toMatch(/:2: not JSON: .+/);
    expect(run.stderr.find((l) => l.startsWith(`${file}:4: `))).toMatch(/unknown type "dev\.cortex\.nope"/);
    expect(run.stderr).toContain(`cortex: 2 bad lines in ${file}: nothing sent`);
    expect(broker.requests).toHaveLength(0);
  });

  it('reports an unreachable broker with exactly which events were not sent', async () => {
    // Prepare
    const file = jsonlFile([report(1), report(2), report(3)]);
    // Act
    const run = await execCli(['replay', file, '--to', await deadUrl()], ENV);
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr.find((l) => l.startsWith('error: stopped at line 1:'))).toMatch(
      /is unreachable \(ECONNREFUSED\) \(3 attempts\)/
    );
    expect(run.stderr).toContain('not sent: 3 events (lines 1-3)');
    expect(run.stdout).toContain('done: 0 of 3 events sent, 0 rejected, 3 not sent');
  });

  it('counts and shows a rejected event (400) and still sends the others, in order, in binary mode', async () => {
    // Prepare
    broker = await startFakeBroker((r) =>
      r.headers['ce-id'] === 'err-0002'
        ? { status: 400, body: { error: { code: 'invalid_event', message: 'TTL exhausted' } } }
        : { status: 202 }
    );
    const file = jsonlFile([report(1), report(2), report(3)]);
    // Act
    const run = await execCli(['replay', file, '--to', broker.url], ENV);
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('rejected line 2 (dev.cortex.error.reported): the broker answered 400: TTL exhausted');
    expect(run.stdout).toEqual(
      expect.arrayContaining([
        'sent line 1: dev.cortex.error.reported id=err-0001',
        'sent line 3: dev.cortex.error.reported id=err-0003'
      ])
    );
    expect(run.stdout).toContain('done: 2 of 3 events sent (lines 1, 3), 1 rejected, 0 not sent');
    expect(broker.requests.map((r) => r.headers['ce-id'])).toEqual(['err-0001', 'err-0002', 'err-0003']);
    expect(broker.requests[0]!.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(broker.requests[0]!.body)).toMatchObject({ component: 'chat', message: 'failure 1' });
  });

  it('stops when the broker keeps failing mid-way and says which events were sent and which not', async () => {
    // Prepare
    broker = await startFakeBroker((_r, n) =>
      n === 1 ? { status: 202 } : { status: 503, body: { error: { message: 'overloaded' } } }
    );
    const file = jsonlFile([report(1), report(2), report(3)]);
    // Act
    const run = await execCli(['replay', file, '--to', broker.url], ENV);
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error: stopped at line 2: the broker at ${broker.url} answered 503: overloaded (3 attempts)`
    );
    expect(run.stderr).toContain('not sent: 2 events (lines 2-3)');
    expect(run.stdout).toContain('done: 1 of 3 events sent (line 1), 0 rejected, 2 not sent');
    expect(broker.requests.map((r) => r.headers['ce-id'])).toEqual(['err-0001', 'err-0002', 'err-0002', 'err-0002']);
  });

  it('shows progress on a long replay and sends every event in file order', async () => {
    // Prepare
    broker = await startFakeBroker();
    const file = jsonlFile(Array.from({ length: 120 }, (_v, i) => report(i + 1)));
    // Act
    const run = await execCli(['replay', file, '--to', broker.url, '--new-ids'], ENV);
    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr.filter((l) => l.startsWith('progress:'))).toEqual(
      Array.from({ length: 9 }, (_v, i) => `progress: ${(i + 1) * 12} of 120 events processed`)
    );
    expect(broker.requests.map((r) => (JSON.parse(r.body) as { message: string }).message)).toEqual(
      Array.from({ length: 120 }, (_v, i) => `failure ${i + 1}`)
    );
    expect(broker.requests.every((r) => !String(r.headers['ce-id']).startsWith('err-'))).toBe(true);
    expect(run.stdout.at(-1)).toBe('done: 120 of 120 events sent (lines 1-120), 0 rejected, 0 not sent');
  });

  it('checks the file and sends nothing with --dry-run', async () => {
    // Prepare
    broker = await startFakeBroker();
    const file = jsonlFile([report(1), report(2)]);
    // Act
    const run = await execCli(['replay', file, '--to', broker.url, '--dry-run'], ENV);
    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('would send line 2: dev.cortex.error.reported id=err-0002 source=/cortex/chat');
    expect(run.stdout).toContain('dry run: nothing sent (2 events would be)');
    expect(broker.requests).toHaveLength(0);
  });

  it('sends one error.reported with cortex send error, and refuses a bad target as a usage error', async () => {
    // Prepare
    broker = await startFakeBroker();
    // Act
    const ok = await execCli(
      ['send', 'error', '--target', 'demo/mcp-demo', '--category', 'mcp_timeout', '--to', broker.url],
      ENV
    );
    const usage = await execCli(['send', 'error', '--target', 'mcp-demo', '--to', broker.url], ENV);
    // Assess
    expect(ok.code).toBe(0);
    expect(ok.stdout[0]).toMatch(/^sent dev\.cortex\.error\.reported id=[0-9a-f-]{36} to /);
    expect(broker.requests).toHaveLength(1);
    expect(broker.requests[0]!.headers).toMatchObject({
      'ce-type': 'dev.cortex.error.reported',
      'ce-source': '/cortex/cli'
    });
    expect(broker.requests[0]!.headers['ce-traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(JSON.parse(broker.requests[0]!.body)).toMatchObject({
      category: 'mcp_timeout',
      target: { namespace: 'demo', service: 'mcp-demo' }
    });
    expect(usage.code).toBe(2);
    expect(usage.stderr[0]).toBe('cortex: --target must be <namespace>/<service> (Kubernetes names), got "mcp-demo"');
  });

  it('says where a broker URL can come from when none is known (usage error)', async () => {
    // Prepare
    const file = jsonlFile([report(1)]);
    // Act
    const run = await execCli(['replay', file], ENV);
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr[0]).toMatch(
      /^cortex: no broker URL: pass --to <broker-url>, set K_SINK, or start the local stack \(npm start\)/
    );
  });
});
