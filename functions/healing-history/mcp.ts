import type { Router } from 'express';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { Events } from '../../shared/events/catalog.js';
import type { Intent } from '../../shared/events/define.js';
import { K8sName } from '../../shared/events/schemas.js';
import { serveStateless } from '../../shared/mcp/stateless.js';
import type { Logger } from '../../shared/runtime/logging.js';
import { bearerOf, mayRead, readerOf, type AccessConfig, type Reader } from './access.js';
import { FilterInput, filterOf, redacted, summaryOf } from './query.js';
import type { History } from './repo.js';

/*
 * Cortex as an MCP server (DESIGN §13), stateless Streamable HTTP at `/mcp` (one McpServer per request, so any replica
 * answers): `list_healings`, `get_healing` and `report_problem`. No tool approves or changes anything: report_problem
 * only publishes error.reported, which goes through intake and the coordinator's guardrails like any report. What a
 * tool returns is redacted; who calls decides what it sees.
 */

export interface McpDeps {
  history: History;
  access: AccessConfig;
  now: () => number;
  publish: (intents: readonly Intent[]) => Promise<void>;
  log: Logger;
}

const json = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(redacted(value), null, 2) }]
});
const refused = (message: string): CallToolResult => ({ content: [{ type: 'text', text: message }], isError: true });

/** The tools, for one reader. */
export function cortexMcpServer(deps: McpDeps, who: Reader): McpServer {
  const server = new McpServer({ name: 'cortex', version: '1.0.0' });
  server.registerTool(
    'list_healings',
    {
      title: 'List Cortex healings',
      description:
        'List past self-healings of MCP backends (what happened to a service): target, reason, outcome, time to heal, ' +
        'actions and the explanation, newest first. Filter by target (namespace/service or service), since (24h, 7d or ' +
        'a time) and outcome (healed, failed, running).',
      inputSchema: FilterInput.shape,
      annotations: { readOnlyHint: true, openWorldHint: false }
    },
    async (input) => {
      const parsed = filterOf(input, deps.now());
      if ('error' in parsed) return refused(parsed.error);
      const records = await deps.history.list({ ...parsed.filter, visible: (t) => mayRead(who, t) });
      return json({ healings: records.map(summaryOf) });
    }
  );
  server.registerTool(
    'get_healing',
    {
      title: 'One Cortex healing',
      description:
        'Everything Cortex knows about one healing: timeline, findings with evidence, actions, outcome and explanation.',
      inputSchema: { healingId: z.string().min(1).max(256) },
      annotations: { readOnlyHint: true, openWorldHint: false }
    },
    async ({ healingId }) => {
      const record = await deps.history.get(healingId);
      const target = record?.target ? `${record.target.namespace}/${record.target.service}` : '';
      if (!record || !mayRead(who, target)) return refused(`No healing ${healingId} that you may read.`);
      return json(record);
    }
  );
  server.registerTool(
    'report_problem',
    {
      title: 'Report a problem to Cortex',
      description:
        'Report that a service misbehaves, so Cortex diagnoses it and heals it if its guardrails allow. Changes nothing ' +
        'by itself; follow the healing with list_healings.',
      inputSchema: {
        namespace: K8sName,
        service: K8sName,
        message: z.string().min(1).max(1000),
        category: z.enum(['mcp_unreachable', 'mcp_timeout', 'mcp_http_error', 'mcp_tool_error']).optional()
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false }
    },
    async ({ namespace, service, message, category }) => {
      if (!mayRead(who, `${namespace}/${service}`)) return refused(`${namespace}/${service} is not one of your targets.`);
      await deps.publish([
        Events.ErrorReported.intent({
          component: `mcp:${who.kind}`,
          category: category ?? 'mcp_unreachable',
          message,
          occurredAt: new Date(deps.now()).toISOString(),
          target: { namespace, service }
        })
      ]);
      return json({ reported: `${namespace}/${service}`, next: 'list_healings with this target shows the healing' });
    }
  );
  return server;
}

/** Mounts `POST /mcp` (GET and DELETE: 405, there is no session). */
export function mcpRoutes(router: Router, deps: McpDeps): void {
  router.post('/mcp', express.json({ limit: '256kb' }), async (req, res) => {
    const who = readerOf(deps.access, bearerOf(req.get('authorization')));
    if (!who) {
      return void res
        .status(401)
        .set('www-authenticate', 'Bearer realm="cortex-mcp"')
        .json({
          jsonrpc: '2.0',
          error: { code: -32001, message: 'Unauthorized: send a Cortex credential as a Bearer token' },
          id: null
        });
    }
    await serveStateless(cortexMcpServer(deps, who), req, res, deps.log);
  });
  const notAllowed = (_req: unknown, res: express.Response): void => void res.status(405).set('allow', 'POST').end();
  router.get('/mcp', notAllowed);
  router.delete('/mcp', notAllowed);
}
