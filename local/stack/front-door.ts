import http, { type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost } from '../../shared/runtime/browser-writes.js';
import { forward } from './proxy.js';

/** Where the front door sends a request: a backend origin (optionally rewriting the path) or a local handler. */
export type Route =
  | {
      match: (req: IncomingMessage, path: string) => boolean;
      target: () => string | undefined;
      rewrite?: (path: string) => string;
    }
  | { match: (req: IncomingMessage, path: string) => boolean; handle: (req: IncomingMessage, res: ServerResponse) => void };

export interface FrontDoor {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function notFound(res: ServerResponse, message: string, status = 404): void {
  const code = status === 404 ? 'not_found' : status === 403 ? 'forbidden_host' : 'unavailable';
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code, message } }));
}

/**
 * The one local URL: routes are tried in order; the first match serves the request. It answers only requests whose
 * `Host` names this machine (localhost, 127.0.0.0/8, ::1): a DNS-rebinding page, which reaches it under its own name,
 * gets 403 and nothing else.
 *
 * @example
 * await startFrontDoor({ port: 8080, host: '127.0.0.1', routes: [{ match: (_r, p) => p === '/', target: () => relayUrl }] });
 */
export async function startFrontDoor(opts: { port: number; host: string; routes: Route[] }): Promise<FrontDoor> {
  const server: Server = http.createServer((req, res) => {
    if (!isLoopbackHost(req.headers.host)) {
      req.resume();
      return notFound(res, `the local stack answers loopback hosts only, not "${req.headers.host ?? ''}"`, 403);
    }
    const path = new URL(req.url ?? '/', 'http://front-door').pathname;
    const route = opts.routes.find((r) => r.match(req, path));
    if (!route) return notFound(res, `no route for ${req.method} ${path}`);
    if ('handle' in route) return route.handle(req, res);
    const target = route.target();
    if (!target) return notFound(res, `the service behind ${path} is not running`, 503);
    const query = (req.url ?? '').slice(path.length);
    forward(req, res, target, route.rewrite ? route.rewrite(path) + query : req.url);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  return {
    url: `http://${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
}
