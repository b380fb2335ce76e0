import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forward } from './proxy.js';

/*
 * What stands in for a Knative Service in front of a function's replicas: one loopback address, requests spread
 * round-robin over the replicas that are up. A replica whose process is gone gets no new request; a request in
 * flight to it fails (502), and the broker retries it on another, as on Knative.
 */

export interface Balancer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * @example
 * const lb = await startBalancer(() => replicas.filter((r) => r.up).map((r) => r.url));
 */
export async function startBalancer(upstreams: () => readonly string[]): Promise<Balancer> {
  let next = 0;
  const server: Server = http.createServer((req, res) => {
    const up = upstreams();
    if (up.length === 0) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'unavailable', message: 'no replica of this function is up' } }));
      return;
    }
    // Behind the front door (or the broker): what the browser addressed is already in X-Forwarded-Host.
    forward(req, res, up[next++ % up.length]!, req.url ?? '/', { behindProxy: true });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
}
