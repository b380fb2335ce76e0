import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSink, type FakeSink } from '../../../fakes/sink.js';
import { errorReported, postEvent } from '../../../helpers/events.js';

interface Proc {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  lines: string[];
}

async function startFixture(sink: FakeSink): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/functions/slow-or-crashing.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      K_SINK: sink.url,
      CORTEX_LOG_LEVEL: 'info',
      POD_NAMESPACE: 'cortex',
      K_SERVICE: 'test-fixture'
    },
    stdio: ['ignore', 'pipe', 'inherit']
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const m = /"port":(\d+)/.exec(line);
      if (m && line.includes('listening')) resolve(`http://127.0.0.1:${m[1]}`);
    });
    void exited.then((code) => reject(new Error(`fixture exited early with ${code}`)));
  });
  return { child, url, exited, lines };
}

describe('Runtime: the function process', () => {
  let sink: FakeSink | undefined;
  let proc: Proc | undefined;
  afterEach(async () => {
    proc?.child.kill('SIGKILL');
    await sink?.close();
  });

  it('drains an in-flight request on SIGTERM, then exits 0', async () => {
    // Prepare
    sink = await startFakeSink();
    proc = await startFixture(sink);
    const inflight = postEvent(proc.url, errorReported({ message: 'slow:1500' }));
    await new Promise((r) => setTimeout(r, 300));
    // Act
    proc.child.kill('SIGTERM');
    const res = await inflight;
    const code = await proc.exited;
    // Assess
    expect(res.status).toBe(202);
    expect(code).toBe(0);
    expect(proc.lines.some((l) => l.includes('SIGTERM received'))).toBe(true);
  });

  it.each([
    ['crash', 'uncaught_exception'],
    ['reject', 'unhandled_rejection']
  ])('publishes error.reported before exiting when the handler leaves a %s behind', async (message, category) => {
    // Prepare
    sink = await startFakeSink();
    proc = await startFixture(sink);
    // Act
    await postEvent(proc.url, errorReported({ message }));
    const [report] = await sink.waitFor(1);
    const code = await proc.exited;
    // Assess
    expect(code).toBe(1);
    expect(report).toMatchObject({
      type: 'dev.cortex.error.reported',
      source: '/cortex/test-fixture',
      data: { component: 'test-fixture', category, target: { namespace: 'cortex', service: 'test-fixture' } }
    });
  });
});
