import { Agent } from 'undici';
import {
  NoResponseError,
  type HttpClient,
  type HttpResponse,
  type PostOptions,
  type WireMessage
} from '../../shared/runtime/http-client.js';

/*
 * The dispatcher's HTTP client: undici's Agent (a keep-alive Pool per origin), with the contract of
 * shared/runtime/http-client.ts (a timeout over the whole exchange, abort, a cap on the response body kept).
 *
 * Why undici here and node:http in the functions: delivery is the broker's hot path. A bare forwarder in its own process
 * (bench/broker.ts's set-up: read the request, answer 202, POST it on), three interleaved runs each, spent 133–157 µs
 * of CPU per event with node:http and a keep-alive agent, 91–95 µs with undici's Pool. The functions post a few events
 * each and pay undici's import at start-up instead, so they keep node:http.
 *
 * Abort without a listener per request: the broker passes the same signal to every delivery, so each signal gets its
 * own Agent, destroyed (failing every request still on it) when the signal aborts. Signals are few (one per owner).
 */

/** Parsed once per destination: the same few URLs are posted to over and over. */
interface Target {
  origin: string;
  path: string;
}

export function createDeliveryClient(opts: { connectionsPerOrigin?: number } = {}): HttpClient {
  const agentOptions = {
    connections: opts.connectionsPerOrigin ?? 128,
    // No timeout unless asked (Knative's default delivery has none); an asked one covers the whole exchange (below).
    headersTimeout: 0,
    bodyTimeout: 0
  };
  const agents = new Map<AbortSignal | undefined, Agent>();
  const agentFor = (signal: AbortSignal | undefined): Agent => {
    let agent = agents.get(signal);
    if (!agent) {
      const created = (agent = new Agent(agentOptions));
      agents.set(signal, created);
      signal?.addEventListener(
        'abort',
        () => {
          agents.delete(signal);
          created.destroy(new Error('aborted')).catch(() => {});
        },
        { once: true }
      );
    }
    return agent;
  };

  const targets = new Map<string, Target>();
  const targetOf = (url: string): Target => {
    let target = targets.get(url);
    if (!target) {
      if (targets.size > 10_000) targets.clear();
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      targets.set(url, target);
    }
    return target;
  };

  async function post(url: string, message: WireMessage, options: PostOptions): Promise<HttpResponse> {
    if (options.signal?.aborted) throw new NoResponseError('aborted', false);
    const { origin, path } = targetOf(url);
    // A timer and a controller only for a delivery that has a timeout.
    const timeout = options.timeoutMs === undefined ? undefined : new AbortController();
    const timer = timeout && setTimeout(() => timeout.abort(new Error('timeout')), options.timeoutMs);
    try {
      const res = await agentFor(options.signal).request({
        origin,
        path,
        method: 'POST',
        headers: options.headers ? { ...message.headers, ...options.headers } : message.headers,
        body: message.body,
        ...(timeout ? { signal: timeout.signal } : {})
      });
      const { body, truncated } = await readCapped(res.body, options.maxBodyBytes);
      return { status: res.statusCode, headers: res.headers, body, truncated };
    } catch (err) {
      if (timeout?.signal.aborted) throw new NoResponseError(`timeout after ${options.timeoutMs} ms`, true, err);
      throw new NoResponseError((err as Error).message || (err as Error).name, false, err);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    post,
    close: () => {
      for (const agent of agents.values()) agent.destroy().catch(() => {});
      agents.clear();
    }
  };
}

const EMPTY = Buffer.alloc(0);

/** Reads a response body up to `cap` bytes; past it, keeps the beginning and drops the connection. */
function readCapped(
  body: NodeJS.ReadableStream & { destroy(): void },
  cap: number
): Promise<{ body: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      if (size + chunk.length > cap) {
        chunks.push(chunk.subarray(0, cap - size));
        resolve({ body: Buffer.concat(chunks), truncated: true });
        body.destroy();
        return;
      }
      size += chunk.length;
      chunks.push(chunk);
    });
    body.on('end', () => resolve({ body: size === 0 ? EMPTY : Buffer.concat(chunks, size), truncated: false }));
    body.on('error', reject);
  });
}
