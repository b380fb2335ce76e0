import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMcpPool, type McpPool } from '../../../../functions/chat/mcp-pool.js';
import { classifyMcpError } from '../../../../shared/mcp/failures.js';
import { startMcpDemo, type McpDemo } from '../../../../local/mcp-demo/index.js';
import { startMcpLab } from '../../../helpers/mcp-lab.js';
import { createLogger } from '../../../../shared/runtime/logging.js';
import { names, postChat } from '../../../helpers/chat.js';
import { startChatHarness } from './harness.js';

const log = createLogger({ name: 'test', level: 'silent' });
const target = { namespace: 'demo', service: 'mcp-demo' };

/** A port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('Function: chat MCP pool against real MCP servers over HTTP', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  const pool = (url: string, now: () => number = Date.now): McpPool => {
    const p = createMcpPool({
      servers: [{ name: 'demo', url, target }],
      callTimeoutMs: 500,
      listTimeoutMs: 1000,
      fetch,
      log,
      now
    });
    cleanup.push(() => p.close());
    return p;
  };

  it('lists a server that was down at start once it is up, no more often than every 5 s', async () => {
    // Prepare
    const port = await closedPort();
    let now = 0;
    const p = pool(`http://127.0.0.1:${port}/mcp`, () => now);
    const whileDown = await p.tools();
    const demo: McpDemo = await startMcpDemo({ log, port });
    cleanup.push(() => demo.stop());
    // Act
    now = 4_000;
    const tooSoon = await p.tools();
    now = 5_000;
    const later = await p.tools();
    // Assess
    expect(whileDown.tools).toEqual([]);
    expect(tooSoon.tools).toEqual([]);
    expect(later.tools.map((t) => t.name)).toEqual(['demo__search_docs', 'demo__get_service_status', 'demo__slow_query']);
    expect(later.refs.get('demo__slow_query')).toMatchObject({ tool: 'slow_query', server: { name: 'demo' } });
  });

  it('real failures classify as the healing needs: stopped server, slow tool, HTTP 503', async () => {
    // Prepare
    const demo = await startMcpDemo({ log });
    const p = pool(demo.url);
    const { refs } = await p.tools();
    const slow = await p.call(refs.get('demo__slow_query')!, { seconds: 2 }).catch((e: unknown) => e);
    await demo.stop();
    const down = await p.call(refs.get('demo__get_service_status')!, {}).catch((e: unknown) => e);
    const http503: Server = createServer((_req, res) => void res.writeHead(503).end('upstream unavailable'));
    await new Promise<void>((r) => http503.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => http503.close(r)));
    const p503 = pool(`http://127.0.0.1:${(http503.address() as AddressInfo).port}/mcp`);
    const unavailable = await p503
      .call({ name: 'demo__x', tool: 'x', server: { name: 'demo', url: '', target } }, {})
      .catch((e: unknown) => e);
    // Act
    const [timeout, unreachable, http] = [slow, down, unavailable].map((e) => classifyMcpError(e));
    // Assess
    expect(timeout).toMatchObject({ category: 'mcp_timeout', workload: true, errorCode: '-32001' });
    expect(unreachable).toMatchObject({ category: 'mcp_unreachable', workload: true });
    expect(http).toMatchObject({ category: 'mcp_http_error', workload: true, httpStatus: 503 });
  });

  it('a server that refuses our credentials is listed again less and less often, and never counts as a workload failure', async () => {
    // Prepare
    const lab = await startMcpLab({ tools: () => undefined, requireHeader: { name: 'x-api-key', value: 'k' } });
    cleanup.push(() => lab.stop());
    let now = 0;
    const p = pool(lab.url, () => now);
    const attempts: number[] = [];
    // Act
    for (const t of [0, 5_000, 10_000, 15_000, 30_000, 35_000]) {
      now = t;
      const { unavailable } = await p.tools();
      attempts.push(lab.statuses.length);
      expect(unavailable[0]!.failure).toMatchObject({ category: 'mcp_unauthorized', workload: false, httpStatus: 401 });
    }
    // Assess
    expect(attempts).toEqual([1, 2, 2, 3, 3, 4]);
  });

  it('the chat starts and answers while every MCP server is down', async () => {
    // Prepare
    const port = await closedPort();
    const h = await startChatHarness({ servers: () => [{ name: 'demo', url: `http://127.0.0.1:${port}/mcp`, target }] });
    cleanup.push(() => h.stop());
    // Act
    const reply = await postChat(h.chat.url, { message: 'Hello, anyone there?' });
    // Assess
    expect(names(reply).at(-1)).toBe('done');
    expect((h.standin.requests()[0]!.body as { tools?: unknown[] }).tools).toBeUndefined();
  });
});
