import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromHttp, type CloudEventRecord } from '../../shared/events/http.js';

/** A stand-in for K_SINK: an HTTP server that records every CloudEvent posted to it. */
export interface FakeSink {
  url: string;
  events: CloudEventRecord[];
  /** Status answered from now on (202 by default). */
  answer(status: number): void;
  waitFor(n: number, timeoutMs?: number): Promise<CloudEventRecord[]>;
  close(): Promise<void>;
}

export async function startFakeSink(): Promise<FakeSink> {
  const events: CloudEventRecord[] = [];
  let status = 202;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Like a broker ingress: a request that is not a CloudEvent gets a 400, and the sink keeps serving.
      let event;
      try {
        event = fromHttp(req.headers, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        res.statusCode = 400;
        res.end(JSON.stringify({ error: { message: (err as Error).message } }));
        return;
      }
      if (status < 300) events.push(event);
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    events,
    answer: (s) => void (status = s),
    async waitFor(n, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (events.length < n) {
        if (Date.now() > end) throw new Error(`sink saw ${events.length} events, expected ${n}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return events.slice(0, n);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      })
  };
}
