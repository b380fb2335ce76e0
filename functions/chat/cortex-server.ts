import type { Config, McpServerConfig } from '../../shared/runtime/config.js';

/**
 * The chat's MCP servers with Cortex's own (healing-history's `/mcp`, DESIGN §13) added when CORTEX_HISTORY_URL and
 * CORTEX_CHAT_TOKEN are set: Claude can then answer "what happened to X?" from the history. The chat's credential
 * sees only the healings of the targets behind the chat's other MCP servers.
 *
 * @example
 * withCortexServer(config); // → [...config.mcp.servers, { name: 'cortex', url: 'http://…/mcp', … }]
 */
export function withCortexServer({
  mcp,
  history,
  namespace
}: Pick<Config, 'mcp' | 'history' | 'namespace'>): McpServerConfig[] {
  if (!history.url || !history.chatToken || mcp.servers.some((s) => s.name === 'cortex')) return mcp.servers;
  const cortex: McpServerConfig = {
    name: 'cortex',
    url: `${history.url.replace(/\/$/, '')}/mcp`,
    target: { namespace, service: 'healing-history' },
    auth: { headers: { Authorization: `Bearer ${history.chatToken}` } }
  };
  return [...mcp.servers, cortex];
}
