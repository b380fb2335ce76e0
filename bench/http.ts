import http from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * Raw node:http pieces the suites share: a loopback server with a URL and a close, and a POST that resolves with the
 * status once the response has ended.
 */

export interface Served {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

export async function serve(handler: http.RequestListener): Promise<Served> {
  const server = http.createServer({ keepAlive: true }, handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      })
  };
}

/** A keep-alive agent, so a suite's POSTs reuse their connections the way the runtime's fetch does. */
export const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs `body` and resolves with the status once the response has been read to its end. */
export function post(
  url: string,
  body: string,
  headers: http.OutgoingHttpHeaders = {},
  agent: http.Agent = keepAlive
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Reads a request body as text. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
