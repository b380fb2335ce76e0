import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { context, type Tracer } from '@opentelemetry/api';
import { endServerSpan, startServerSpan } from '../tracing/server-span.js';
import { hostProblem } from './browser-writes.js';
import type { Logger } from './logging.js';
import type { FunctionMetrics } from './metrics.js';
import { answerError, type ServerState } from './server.js';

/*
 * Long-lived streams (the relay's SSE) served on node:http ahead of the express app. A stream stays open for minutes
 * and a relay holds thousands: through express each one kept its request's state for its whole life (req/res with
 * prototypes set per request, the router's closures, `res.locals`, a server span and three `close` listeners), about
 * 7 KiB of heap per stream beside the socket's own 6 KiB (bench/relay-heap.ts). Here a stream keeps nothing of its
 * request: the span ends once the stream is established (or refused), the response is counted then, and the
 * in-flight count uses one listener shared by every stream.
 */

/**
 * Answers one stream request: establishes the stream (status, headers, first frames) or throws a CortexError, which is
 * answered as JSON like any route's error. `query` is the request's query string, parsed.
 */
export type StreamRoute = (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => Promise<void>;

export interface StreamServing {
  /** `GET <path>` → its route. */
  readonly routes: Readonly<Record<string, StreamRoute>>;
  readonly fn: string;
  readonly state: ServerState;
  readonly log: Logger;
  readonly metrics?: FunctionMetrics | undefined;
  readonly tracer?: Tracer | undefined;
  /** Refuse (403) a Host that is not a loopback name, as the express app does locally. */
  readonly loopbackOnly?: boolean | undefined;
}

/**
 * The server's request listener: `GET` on a stream path is served here, everything else by `app`.
 *
 * @example
 * createServer(serveStreams(app, { routes: { '/events': openStream }, fn: 'sse-relay', state, log }));
 */
export function serveStreams(app: RequestListener, opts: StreamServing): RequestListener {
  const { routes, state, log, metrics, tracer } = opts;
  const closed = (): void => void state.inflight--;
  const serve = async (req: IncomingMessage, res: ServerResponse, route: StreamRoute, query: string): Promise<void> => {
    try {
      const wrongHost = opts.loopbackOnly ? hostProblem(req.headers.host) : undefined;
      if (wrongHost) throw wrongHost;
      await route(req, res, new URLSearchParams(query));
    } catch (err) {
      answerError(err, req, res, log);
    }
    metrics?.response('route', res.statusCode);
  };
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const route = req.method === 'GET' ? routes[path] : undefined;
    if (route === undefined || !Object.hasOwn(routes, path)) return void app(req, res);
    state.inflight++;
    res.on('close', closed);
    const query = q < 0 ? '' : url.slice(q + 1);
    if (!tracer) return void serve(req, res, route, query);
    const { span, context: active } = startServerSpan(tracer, opts.fn, 'GET', path, req.headers);
    // The span covers establishing the stream, not its life: a stream open for an hour is no hour-long request.
    void context.with(active, () => serve(req, res, route, query)).then(() => endServerSpan(span, res.statusCode));
  };
}
