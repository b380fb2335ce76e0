import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { searchDocs } from './knowledge.js';

/** What the tools know about the process serving them. */
export interface DemoState {
  readonly name: string;
  readonly version: string;
  readonly instance: string;
  readonly startedAt: number;
  /** Tool calls served so far (all instances of McpServer share it: the server is stateless, one per request). */
  calls: number;
  readonly now: () => number;
}

const text = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }] });

/** Waits `ms`, or rejects when the request is cancelled or its connection closes. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('cancelled'));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('cancelled'))), { once: true });
  });
}

/** Registers the demo tools on one (per-request) McpServer. */
export function registerDemoTools(server: McpServer, state: DemoState): void {
  server.registerTool(
    'search_docs',
    {
      title: 'Search the Cortex docs',
      description: 'Search the Cortex documentation (self-healing, checks, remediations, guardrails, SSE, local mode).',
      inputSchema: { query: z.string().min(1).max(500), limit: z.number().int().min(1).max(8).optional() },
      annotations: { readOnlyHint: true }
    },
    async ({ query, limit }) => {
      state.calls++;
      const hits = searchDocs(query, limit ?? 3);
      if (hits.length === 0) return text(`No Cortex document matches "${query}".`);
      return text(hits.map((h) => `${h.doc.title} [${h.doc.id}]: ${h.doc.text}`).join('\n\n'));
    }
  );

  server.registerTool(
    'get_service_status',
    {
      title: 'Status of this MCP server',
      description: 'Report the health of this MCP service: status, version, instance, uptime and calls served.',
      inputSchema: {},
      annotations: { readOnlyHint: true }
    },
    async () => {
      state.calls++;
      const status = {
        service: state.name,
        status: 'ok',
        version: state.version,
        instance: state.instance,
        uptimeSeconds: Math.round((state.now() - state.startedAt) / 1000),
        callsServed: state.calls
      };
      return text(JSON.stringify(status, null, 2));
    }
  );

  server.registerTool(
    'slow_query',
    {
      title: 'A deliberately slow query',
      description: 'Run a slow database query that takes the given number of seconds (for timeout demos).',
      inputSchema: { seconds: z.number().min(0).max(120) },
      annotations: { readOnlyHint: true }
    },
    async ({ seconds }, extra) => {
      state.calls++;
      await sleep(seconds * 1000, extra.signal);
      return text(`The slow query finished after ${seconds} s and returned 42 rows.`);
    }
  );
}
