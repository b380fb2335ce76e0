import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '../../shared/runtime/logging.js';
import { CONTROL_PREFIX, handleControl } from './control.js';
import { FaultQueue, type Fault } from './faults.js';
import { sendApiError } from './http-io.js';
import { newRequestId } from './ids.js';
import { handleCountTokens, handleMessages } from './messages.js';
import { PromptCache } from './prompt.js';
import type { RefusalCategory } from './faults.js';
import { RequestLog, type RecordedRequest } from './request-log.js';

export interface ClaudeStandinOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  log?: Logger;
  /** Pause before each streamed delta, in ms (default 15), so tokens visibly arrive one group at a time. */
  pacingMs?: number;
  /** The model's context window in tokens (default 200000): a longer prompt is a 400, a longer answer is cut. */
  contextWindow?: number;
  /** The shortest prefix the prompt cache keeps, in tokens (default 1024, as for Sonnet-class models). */
  minCacheTokens?: number;
  /** How long a cache entry lives after its last use (default 5 minutes). */
  cacheTtlMs?: number;
}

export interface ClaudeStandin {
  /** The base URL for the SDK's `baseURL` or `ANTHROPIC_BASE_URL`, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** Ends every open response (stalled ones included), closes all sockets and stops listening. */
  stop(): Promise<void>;
  faults: { push(...faults: Fault[]): void; clear(): void };
  /** The /v1/messages requests received so far, oldest first. */
  requests(): RecordedRequest[];
}

const pathOf = (req: IncomingMessage): string => (req.url ?? '/').split('?')[0] ?? '/';

/**
 * Starts the local stand-in for the Anthropic Messages API: the same wire protocol as the real API (so the real SDK
 * can talk to it), a deterministic offline "model", and fault injection. It is not Claude.
 */
export async function startClaudeStandin(opts: ClaudeStandinOptions = {}): Promise<ClaudeStandin> {
  const log = opts.log ?? createLogger({ name: 'claude-standin', level: 'info' });
  const faults = new FaultQueue();
  const requests = new RequestLog();
  const stopping = new AbortController();
  const cache = new PromptCache({
    minTokens: opts.minCacheTokens ?? 1024,
    ttlMs: opts.cacheTtlMs ?? 5 * 60_000,
    now: () => Date.now()
  });
  const ctx = {
    faults,
    requests,
    log,
    pacingMs: opts.pacingMs ?? 15,
    stopping: stopping.signal,
    contextWindow: opts.contextWindow ?? 200_000,
    cache,
    refused: new Map<string, RefusalCategory>()
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = pathOf(req);
    if (path.startsWith(CONTROL_PREFIX) && (await handleControl({ faults, requests }, req, res, path))) return;
    if (req.method === 'POST' && path === '/v1/messages') return handleMessages(ctx, req, res);
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') return handleCountTokens(ctx, req, res);
    req.resume();
    sendApiError(res, 'not_found_error', `Not found: ${req.method} ${path}`, newRequestId());
  };

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      log.error({ err }, 'stand-in failed to answer');
      if (!res.headersSent) sendApiError(res, 'api_error', 'Internal server error', newRequestId());
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  log.info(
    { url },
    'Claude API stand-in listening: a local, offline imitation of the Anthropic Messages API. Answers come from canned rules, not from Claude.'
  );

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= new Promise<void>((resolve, reject) => {
      stopping.abort();
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    }).then(() => log.info('Claude API stand-in stopped')));

  return {
    url,
    port,
    stop,
    faults: { push: (...f: Fault[]) => faults.push(...f), clear: () => faults.clear() },
    requests: () => requests.list()
  };
}
