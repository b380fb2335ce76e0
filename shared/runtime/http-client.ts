import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { WireMessage } from '../events/wire.js';

/** What is posted: headers and a body. */
export type { WireMessage };

/*
 * The HTTP client of the broker's dispatcher and of every function's publisher: node:http with keep-alive agents (one connection pool per origin, bounded), a
 * per-attempt timeout that covers the whole exchange (connect, send, read the response), abort on shutdown, and a cap
 * on how much of a response body is kept.
 */

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body was longer than the cap; `body` holds only its beginning. */
  truncated: boolean;
}

/** A request that got no response: connection refused or reset, timeout, abort. */
export class NoResponseError extends Error {
  readonly timedOut: boolean;
  constructor(message: string, timedOut: boolean, cause?: unknown) {
    super(message, { cause });
    this.name = 'NoResponseError';
    this.timedOut = timedOut;
  }
}

export interface PostOptions {
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  maxBodyBytes: number;
  headers?: Record<string, string>;
}

export interface HttpClient {
  post(url: string, message: WireMessage, options: PostOptions): Promise<HttpResponse>;
  close(): void;
}

/** Creates a client with its own keep-alive pools, so closing it frees its sockets. */
export function createHttpClient(opts: { maxSocketsPerOrigin?: number } = {}): HttpClient {
  const agentOptions = { keepAlive: true, maxSockets: opts.maxSocketsPerOrigin ?? 128, maxFreeSockets: 64 };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };

  // One abort listener per signal (the broker passes the same one to every request), not one per request: adding and
  // removing an EventTarget listener on every request was a visible share of the dispatcher's CPU under load.
  const inflight = new WeakMap<AbortSignal, Set<http.ClientRequest>>();
  const follow = (signal: AbortSignal, req: http.ClientRequest): void => {
    let reqs = inflight.get(signal);
    if (!reqs) {
      const set = (reqs = new Set());
      inflight.set(signal, set);
      signal.addEventListener('abort', () => set.forEach((r) => r.destroy(new Error('aborted'))), { once: true });
    }
    reqs.add(req);
    req.once('close', () => reqs.delete(req));
  };

  // Parsed once per destination: the same few URLs are posted to over and over.
  const targets = new Map<string, URL>();
  const targetOf = (url: string): URL => {
    let target = targets.get(url);
    if (!target) {
      if (targets.size > 10_000) targets.clear();
      target = new URL(url);
      targets.set(url, target);
    }
    return target;
  };

  function post(url: string, message: WireMessage, options: PostOptions): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const target = targetOf(url);
      const secure = target.protocol === 'https:';
      const body = typeof message.body === 'string' ? Buffer.from(message.body) : message.body;
      let timedOut = false;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const succeed = (res: http.IncomingMessage, chunks: Buffer[], truncated: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), truncated });
      };
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const reason = timedOut ? `timeout after ${options.timeoutMs} ms` : err.message || err.name;
        reject(new NoResponseError(reason, timedOut, err));
      };
      const req = (secure ? https : http).request({
        protocol: target.protocol,
        hostname: target.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: { ...message.headers, ...options.headers, 'content-length': String(body.length) }
      });
      if (options.signal?.aborted) req.destroy(new Error('aborted'));
      else if (options.signal) follow(options.signal, req);
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          req.destroy(new Error('timeout'));
        }, options.timeoutMs);
      }
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size + chunk.length > options.maxBodyBytes) {
            chunks.push(chunk.subarray(0, options.maxBodyBytes - size));
            succeed(res, chunks, true);
            // The rest is not needed; dropping the connection is cheaper than reading it.
            res.destroy();
            return;
          }
          size += chunk.length;
          chunks.push(chunk);
        });
        res.on('end', () => succeed(res, chunks, false));
        res.on('error', fail);
        // A connection cut in the middle of the body ends neither with 'end' nor always with 'error'.
        res.on('close', () => {
          if (!res.complete) fail(new Error('connection closed before the response was complete'));
        });
      });
      req.end(body);
    });
  }

  return {
    post,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    }
  };
}
