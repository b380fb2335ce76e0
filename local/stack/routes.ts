import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RunningBroker } from '../broker/index.js';
import { forward } from './proxy.js';
import type { Route } from './front-door.js';

/**
 * The front door's table: the page and its streams (relay), the chat, approvals, the history and Cortex's MCP server
 * (healing-history), the broker ingress, and health.
 */
export function frontDoorRoutes(deps: {
  urls: ReadonlyMap<string, string>;
  broker: RunningBroker;
  namespace: string;
  brokerName: string;
  extra?: Route[];
}): Route[] {
  const to = (fn: string) => (): string | undefined => deps.urls.get(fn);
  const brokerPath = `/${deps.namespace}/${deps.brokerName}`;
  const origin = new URL(deps.broker.url).origin;
  return [
    ...(deps.extra ?? []),
    {
      match: (_req, p) => p === '/healthz',
      handle: (_req: IncomingMessage, res: ServerResponse) =>
        void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
    },
    { match: (_req, p) => p === '/chat' || p.startsWith('/chat/'), target: to('chat') },
    { match: (_req, p) => p === '/approvals' || p.startsWith('/approvals/'), target: to('approvals') },
    { match: (_req, p) => p === '/healings' || p.startsWith('/healings/') || p === '/mcp', target: to('healing-history') },
    { match: (_req, p) => p === brokerPath, handle: (req, res) => forward(req, res, origin) },
    // The page and the streams only: the relay's event ingest is not reachable from here, as in a cluster.
    {
      match: (req, p) =>
        (req.method === 'GET' || req.method === 'HEAD') && (p === '/' || p === '/events' || p.startsWith('/assets/')),
      target: to('sse-relay')
    }
  ];
}
