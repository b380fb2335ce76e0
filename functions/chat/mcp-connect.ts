import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { McpServerConfig } from '../../shared/runtime/config.js';

/*
 * The transport to one MCP server, with its credentials: static headers from the Secret go on every request
 * (`requestInit`), and a server configured with OAuth client credentials gets the MCP SDK's ClientCredentialsProvider
 * as `authProvider`. On the server's 401 the SDK discovers its authorization server (protected resource metadata),
 * checks it is the configured `issuer`, obtains a token with the client_credentials grant and retries. One provider
 * per server outlives its connections, so a reconnect reuses the token until the server refuses it.
 */

/** The OAuth provider for a server configured with client credentials; undefined for the others. */
export function mcpAuthProvider(server: McpServerConfig): OAuthClientProvider | undefined {
  const oauth = server.auth?.oauth;
  if (!oauth) return undefined;
  return new ClientCredentialsProvider({
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    expectedIssuer: oauth.issuer,
    clientName: 'cortex-chat',
    ...(oauth.scope ? { scope: oauth.scope } : {})
  });
}

/**
 * @example
 * await client.connect(mcpTransport(server, fetch, mcpAuthProvider(server)), { timeout: 5000 });
 */
export function mcpTransport(
  server: McpServerConfig,
  fetch: typeof globalThis.fetch,
  authProvider: OAuthClientProvider | undefined
): StreamableHTTPClientTransport {
  const headers = server.auth?.headers;
  return new StreamableHTTPClientTransport(new URL(server.url), {
    fetch,
    ...(headers ? { requestInit: { headers } } : {}),
    ...(authProvider ? { authProvider } : {})
  });
}
