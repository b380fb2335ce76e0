import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeliveryClient } from '../../../../local/broker/delivery-client.js';
import { NoResponseError } from '../../../../shared/runtime/http-client.js';
import { freePort } from './harness.js';

/*
 * The dispatcher's undici client keeps the contract of shared/runtime/http-client.ts: status, headers and body of the
 * answer, a cap on the body kept, a timeout over the whole exchange, abort through a signal, no response as
 * NoResponseError. Real HTTP on loopback.
 */

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

describe('Broker delivery client (undici, real HTTP)', () => {
  const cleanup: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function serve(handler: Handler): Promise<string> {
    const server = http.createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(
      () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        })
    );
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/sub?x=1`;
  }

  function client(): ReturnType<typeof createDeliveryClient> {
    const c = createDeliveryClient();
    cleanup.push(() => c.close());
    return c;
  }

  const message = { headers: { 'ce-id': 'e1', 'content-type': 'application/json' }, body: Buffer.from('{"a":1}') };

  it('posts headers and body to the path and query, and returns status, headers and body', async () => {
    // Prepare
    let seen: { url?: string; headers?: http.IncomingHttpHeaders; body?: string } = {};
    const url = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen = { url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() };
        res.writeHead(200, { 'ce-id': 'reply-1', 'retry-after': '3' }).end('hello');
      });
    });
    // Act
    const res = await client().post(url, message, { maxBodyBytes: 1024, headers: { prefer: 'reply' } });
    // Assess
    expect(seen.url).toBe('/sub?x=1');
    expect(seen.headers).toMatchObject({ 'ce-id': 'e1', prefer: 'reply', 'content-length': '7' });
    expect(seen.body).toBe('{"a":1}');
    expect(res).toMatchObject({ status: 200, truncated: false });
    expect(res.headers['ce-id']).toBe('reply-1');
    expect(res.body.toString()).toBe('hello');
  });

  it('keeps only the first maxBodyBytes of a longer answer, marked truncated', async () => {
    // Prepare
    const url = await serve((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end('x'.repeat(64 * 1024)));
    });
    // Act
    const res = await client().post(url, message, { maxBodyBytes: 100 });
    // Assess
    expect(res.truncated).toBe(true);
    expect(res.body.length).toBe(100);
  });

  it('gives up after timeoutMs with a NoResponseError that says it timed out', async () => {
    // Prepare
    const url = await serve(() => {
      /* never answers */
    });
    // Act
    const failure = await client()
      .post(url, message, { maxBodyBytes: 1024, timeoutMs: 50 })
      .catch((err: unknown) => err);
    // Assess
    expect(failure).toBeInstanceOf(NoResponseError);
    expect(failure).toMatchObject({ timedOut: true, message: 'timeout after 50 ms' });
  });

  it('aborts requests in flight when their signal aborts, and refuses new ones on it', async () => {
    // Prepare
    let arrived!: () => void;
    const reached = new Promise<void>((r) => (arrived = r));
    const url = await serve(() => arrived());
    const c = client();
    const stop = new AbortController();
    // Act
    const inFlight = c.post(url, message, { maxBodyBytes: 1024, signal: stop.signal }).catch((err: unknown) => err);
    await reached;
    stop.abort();
    const failure = await inFlight;
    const after = await c.post(url, message, { maxBodyBytes: 1024, signal: stop.signal }).catch((err: unknown) => err);
    // Assess
    expect(failure).toBeInstanceOf(NoResponseError);
    expect(failure).toMatchObject({ timedOut: false });
    expect(after).toMatchObject({ message: 'aborted', timedOut: false });
  });

  it('reports a refused connection as a NoResponseError naming it', async () => {
    // Prepare
    const url = `http://127.0.0.1:${await freePort()}/`;
    // Act
    const failure = await client()
      .post(url, message, { maxBodyBytes: 1024 })
      .catch((err: unknown) => err);
    // Assess
    expect(failure).toBeInstanceOf(NoResponseError);
    expect((failure as Error).message).toMatch(/ECONNREFUSED/);
  });
});
