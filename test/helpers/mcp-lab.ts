import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  getOAuthProtectedResourceMetadataUrl,
  mcpAuthMetadataRouter
} from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { authenticateClient } from '@modelcontextprotocol/sdk/server/auth/middleware/clientAuth.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';

/*
 * A real MCP server for tests, built with the MCP SDK: stateful Streamable HTTP (a session per client, with the GET
 * stream on which `notifications/tools/list_changed` travel), tools registered by the test, and optionally guarded:
 * by a static header, or as an OAuth 2.1 protected resource with its own authorization server (the SDK's server
 * auth: protected resource metadata, bearer token check, client authentication), issuing tokens for the
 * client_credentials grant.
 */

export interface McpLabOptions {
  /** Registers the tools of one session's server; called again for every new session. */
  tools(server: McpServer): void;
  /** Requests must carry this header with this value (e.g. an API key from a Secret). */
  requireHeader?: { name: string; value: string };
  /** An OAuth-protected resource; clients get tokens with client_credentials for this client. */
  oauth?: { clientId: string; clientSecret: string };
}

export interface McpLab {
  url: string;
  /** The authorization server's issuer URL (with `oauth`). */
  issuer: string;
  /** The MCP server of every session so far, oldest first: a test changes their tools mid-session. */
  servers: McpServer[];
  /** Requests to /mcp, by HTTP status answered. */
  statuses: number[];
  /** Tokens issued by the authorization server. */
  tokensIssued: number;
  stop(): Promise<void>;
}

function oauthRoutes(app: express.Express, lab: McpLab, opts: NonNullable<McpLabOptions['oauth']>): RequestHandler {
  const tokens = new Set<string>();
  const base = new URL(lab.issuer);
  app.use(
    mcpAuthMetadataRouter({
      oauthMetadata: {
        issuer: lab.issuer,
        authorization_endpoint: new URL('/authorize', base).href,
        token_endpoint: new URL('/token', base).href,
        response_types_supported: ['code'],
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_post']
      },
      resourceServerUrl: new URL(lab.url)
    })
  );
  const client = { client_id: opts.clientId, client_secret: opts.clientSecret, redirect_uris: [] };
  app.post(
    '/token',
    express.urlencoded({ extended: false }),
    authenticateClient({ clientsStore: { getClient: (id) => (id === opts.clientId ? client : undefined) } }),
    (req, res) => {
      // The SDK's token handler leaves client_credentials to the server; this one issues an opaque token.
      if (req.body?.grant_type !== 'client_credentials')
        return void res.status(400).json({ error: 'unsupported_grant_type' });
      const token = randomUUID();
      tokens.add(token);
      lab.tokensIssued += 1;
      res.set('cache-control', 'no-store').json({ access_token: token, token_type: 'bearer', expires_in: 3600 });
    }
  );
  return requireBearerAuth({
    verifier: {
      async verifyAccessToken(token) {
        if (!tokens.has(token)) throw new InvalidTokenError('unknown token');
        return { token, clientId: opts.clientId, scopes: [], expiresAt: Math.floor(Date.now() / 1000) + 3600 };
      }
    },
    resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(new URL(lab.url))
  });
}

/**
 * @example
 * const lab = await startMcpLab({ tools: (s) => s.registerTool('echo', { inputSchema: { text: z.string() } }, …) });
 */
export async function startMcpLab(opts: McpLabOptions): Promise<McpLab> {
  const app = createMcpExpressApp({ host: '127.0.0.1' });
  const listening: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  const lab: McpLab = {
    url: `${base}/mcp`,
    issuer: `${base}/`,
    servers: [],
    statuses: [],
    tokensIssued: 0,
    stop: () =>
      new Promise<void>((resolve) => {
        listening.close(() => resolve());
        listening.closeAllConnections();
      })
  };
  app.use('/mcp', (req, res, next) => {
    res.on('finish', () => lab.statuses.push(res.statusCode));
    next();
  });
  const guards: RequestHandler[] = [];
  if (opts.requireHeader) {
    const { name, value } = opts.requireHeader;
    guards.push((req, res, next) =>
      req.get(name) === value ? next() : void res.status(401).json({ error: 'unauthorized' })
    );
  }
  if (opts.oauth) guards.push(oauthRoutes(app, lab, opts.oauth));

  const transports = new Map<string, StreamableHTTPServerTransport>();
  app.all('/mcp', ...guards, async (req, res) => {
    const id = req.get('mcp-session-id');
    let transport = id ? transports.get(id) : undefined;
    if (id && !transport)
      return void res.status(404).json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
    if (!transport) {
      const server = new McpServer(
        { name: 'mcp-lab', version: '1.0.0' },
        { capabilities: { tools: { listChanged: true } } }
      );
      opts.tools(server);
      lab.servers.push(server);
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => void transports.set(sid, created)
      });
      created.onclose = () => void (created.sessionId && transports.delete(created.sessionId));
      await server.connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res, req.body);
  });
  return lab;
}
