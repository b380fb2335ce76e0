import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** kubernetes-mcp-server 0.0.67, installed into .cache/ by scripts/ensure-test-deps.mjs (not a package.json dependency). */
export const K8S_MCP_SERVER = path.join(
  root,
  '.cache',
  'kubernetes-mcp-server-0.0.67',
  'node_modules',
  '.bin',
  'kubernetes-mcp-server'
);

export function k8sMcpServer(): string {
  if (!existsSync(K8S_MCP_SERVER))
    throw new Error(`kubernetes-mcp-server not found at ${K8S_MCP_SERVER}: run \`node scripts/ensure-test-deps.mjs\``);
  return K8S_MCP_SERVER;
}
