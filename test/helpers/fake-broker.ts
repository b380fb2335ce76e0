import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/* A broker ingress stand-in for CLI tests: records every request and answers what the test decides per request. */

export interface BrokerRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeBroker {
  url: string;
  requests: BrokerRequest[];
  close(): Promise<void>;
}

export async function startFakeBroker(
  answer: (req: BrokerRequest, n: number) => { status: number; body?: unknown } = () => ({ status: 202 })
): Promise<FakeBroker> {
  const requests: BrokerRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      const { status, body } = answer(r, requests.length);
      if (body === undefined) res.writeHead(status).end();
      else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cortex/default`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      })
  };
}

/** A URL nothing listens on (a port that was just free). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}/cortex/default`;
}
