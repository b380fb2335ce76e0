import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execCli, spawnCli } from '../../helpers/cli.js';

/*
 * `cortex tail` as a real process against a relay stand-in that cuts the stream after two events, as Knative does at
 * timeoutSeconds: the CLI must reconnect with Last-Event-ID and lose nothing, and record every event whole.
 */

const TOKEN = 'operator-token-0123456789';
const ENV = {
  CORTEX_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'cortex-cli-state-')),
  K_SINK: '',
  CORTEX_RELAY_URL: '',
  CORTEX_OPERATOR_TOKEN: ''
};

const event = (n: number): Record<string, unknown> => ({
  specversion: '1.0',
  id: `e-${n}`,
  source: '/cortex/healing-coordinator',
  type: 'dev.cortex.healing.progress',
  time: `2026-11-27T10:00:0${n}.000Z`,
  datacontenttype: 'application/json',
  correlationid: 'err-1',
  data: {
    healingId: 'h-1',
    stage: 'diagnose',
    message: `step ${n}`,
    done: n,
    total: 3,
    target: { namespace: 'demo', service: 'mcp-demo' }
  }
});
const frame = (name: string, id: number, data: unknown): string =>
  `event: ${name}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;

describe('CLI: cortex tail', () => {
  let server: Server;
  let url: string;
  const connections: Array<{ query: URLSearchParams; headers: IncomingHttpHeaders }> = [];
  const open: ServerResponse[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://relay');
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'unauthorized', message: 'the operator stream needs the operator token' } }));
        return;
      }
      connections.push({ query: u.searchParams, headers: req.headers });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (connections.length === 1) {
        // First connection: two events, then the stream is cut.
        res.end(
          'retry: 50\n\n' +
            frame('connected', 0, { session: null, lastEventId: '0' }) +
            frame('dev.cortex.healing.progress', 1, event(1)) +
            frame('dev.cortex.healing.progress', 2, event(2))
        );
      } else {
        res.write(
          frame('connected', 2, { session: null, lastEventId: '2' }) +
            ': keep-alive\n\n' +
            frame('dev.cortex.healing.progress', 3, event(3))
        );
        open.push(res);
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of open) res.end();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('prints each event, reconnects after a cut with Last-Event-ID, records every event whole, and exits 0 on Ctrl-C', async () => {
    // Prepare
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cortex-tail-')), 'rec.jsonl');
    const tail = spawnCli(['tail', '--relay', url, '--token', TOKEN, '--save', file], ENV);
    // Act
    await tail.waitFor('stdout', (l) => l.includes('step 3'));
    const code = await tail.stop('SIGINT');
    // Assess
    expect(code).toBe(0);
    expect(tail.stdout).toHaveLength(3);
    expect(tail.stdout[0]).toMatch(/^10:00:01\.000\s+healing\.progress\s+demo\/mcp-demo\s+h=h-1\s+diagnose 1\/3: step 1$/);
    expect(connections.map((c) => c.headers['last-event-id'])).toEqual([undefined, '2']);
    expect(connections[0]!.query.get('operator')).toBe('1');
    expect(connections[0]!.query.get('history')).toBe('0');
    expect(
      tail.stderr.some((l) => /the relay ended the stream; reconnecting in 0\.1 s \(resuming after event 2\)/.test(l))
    ).toBe(true);
    expect(tail.stderr.at(-1)).toBe(`stopped after 3 events; recorded in ${file}`);
    const recorded = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(recorded).toEqual([event(1), event(2), event(3)]);
  });

  it("fails with exit code 1 and the relay's reason when the operator token is refused", async () => {
    // Act
    const run = await execCli(['tail', '--relay', url, '--token', 'wrong-token-0000000000'], ENV);
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cortex: the relay at ${url} answered 401: the operator stream needs the operator token`);
  });
});
