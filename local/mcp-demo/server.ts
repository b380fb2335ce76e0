import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestHandler } from 'express';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { serveStateless } from '../../shared/mcp/stateless.js';
import type { Logger } from '../../shared/runtime/logging.js';
import { registerDemoTools, type DemoState } from './tools.js';

export interface McpDemoOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  log: Logger;
  /** Host headers to accept (DNS rebinding protection); default: loopback names when bound to loopback, else any. */
  allowedHosts?: string[];
  /** Shown by get_service_status (e.g. the simulated pod's name). Default `mcp-demo`. */
  instance?: string;
}

export interface McpDemo {
  /** The MCP endpoint, e.g. `http://127.0.0.1:41234/mcp`. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const NAME = 'mcp-demo';
const VERSION = '1.0.0';

/**
 * Starts the demo MCP server: stateless Streamable HTTP on express 5 (one McpServer per request), with three tools
 * for a demo chat: `search_docs`, `get_service_status` and `slow_query`.
 *
 * @example
 * const demo = await startMcpDemo({ log });
 * // CORTEX_MCP_SERVERS=[{"name":"demo","url":demo.url,"target":{"namespace":"demo","service":"mcp-demo"}}]
 * await demo.stop();
 */
export async function startMcpDemo(opts: McpDemoOptions): Promise<McpDemo> {
  const { log } = opts;
  const host = opts.host ?? '127.0.0.1';
  const state: DemoState = {
    name: NAME,
    version: VERSION,
    instance: opts.instance ?? NAME,
    startedAt: Date.now(),
    calls: 0,
    now: Date.now
  };
  // Loopback binds get the SDK's Host header check (DNS rebinding protection); other binds check allowedHosts if given.
  const app = createMcpExpressApp(opts.allowedHosts ? { host, allowedHosts: opts.allowedHosts } : { host });

  app.post('/mcp', async (req, res) => {
    const server = new McpServer({ name: NAME, version: VERSION });
    registerDemoTools(server, state);
    await serveStateless(server, req, res, log);
  });
  // Stateless: there is no session to stream (GET) or to end (DELETE).
  const notAllowed: RequestHandler = (_req, res) => void res.status(405).set('allow', 'POST').end();
  app.get('/mcp', notAllowed);
  app.delete('/mcp', notAllowed);
  app.get('/health', (_req, res) => void res.json({ status: 'ok', service: NAME }));

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/mcp`;
  log.info({ url }, 'demo MCP server listening');

  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => log.info({ url }, 'demo MCP server stopped')))
  };
}
