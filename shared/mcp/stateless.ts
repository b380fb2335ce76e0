import type { Request, Response } from 'express';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from '../runtime/logging.js';

/**
 * Answers one Streamable HTTP request with a server made for it (stateless: no session, so any replica answers), and
 * closes both when the response ends. A failure before the answer started is a JSON-RPC internal error (500).
 *
 * @example
 * app.post('/mcp', (req, res) => serveStateless(buildServer(), req, res, log));
 */
export async function serveStateless(server: McpServer, req: Request, res: Response, log: Logger): Promise<void> {
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  try {
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  } catch (err) {
    log.error({ err }, 'MCP request failed');
    if (!res.headersSent)
      res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null });
  }
}
