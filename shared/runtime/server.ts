import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { parseTraceparent } from '../tracing/traceparent.js';
import type { AnyFunctionDef, RouteCtx } from './define-function.js';
import { deliver, type DeliveryDeps } from './delivery.js';
import {
  CortexError,
  PayloadTooLargeError,
  RequestError,
  toErrorBody,
  toHttpStatus,
  UnavailableError,
  UnsupportedMediaTypeError
} from './errors.js';
import { idempotencyKey } from './idempotency.js';
import { loopbackOnly } from './browser-writes.js';
import { outcomeOfError, type FunctionMetrics, type Handler } from './metrics.js';

/** Liveness, readiness and in-flight accounting, shared by the server and the shutdown sequence. */
export interface ServerState {
  ready: boolean;
  inflight: number;
  /** Why a dependency the function cannot work without is away (Redis down), or undefined: readiness says so. */
  unready?: (() => string | undefined) | undefined;
}

/** Maps body-parser failures onto our error classes, so every error body has the same shape. */
function bodyParserError(err: {
  type?: string;
  message: string;
  limit?: number;
  status?: number;
  code?: unknown;
}): Error | undefined {
  // A body that does not decompress (gzip, deflate, br): body-parser passes zlib's error on with status 400.
  if (!(err instanceof CortexError) && err.type === undefined && err.status === 400 && typeof err.code === 'string')
    return new RequestError(400, 'malformed_encoding', `the body does not decode with its content-encoding: ${err.message}`);
  switch (err.type) {
    case 'entity.too.large':
      return new PayloadTooLargeError(`request body exceeds the limit of ${err.limit} bytes`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError(err.message);
    case 'entity.parse.failed':
      return new RequestError(400, 'malformed_json', `malformed JSON: ${err.message}`);
    case 'request.aborted':
      return new RequestError(400, 'aborted', 'request aborted by the client');
    default:
      return undefined;
  }
}

/** Best effort (source, id) and type of a delivery that failed, so a broker retry of it can be recognised. */
function identityOf(headers: Record<string, unknown>, body: string): { type: string | undefined; key: string | undefined } {
  let attrs: Record<string, unknown> = { type: headers['ce-type'], id: headers['ce-id'], source: headers['ce-source'] };
  if (attrs.id === undefined && body.startsWith('{')) {
    try {
      attrs = JSON.parse(body) as Record<string, unknown>;
    } catch {
      // not JSON: no identity
    }
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const id = str(attrs.id);
  const source = str(attrs.source);
  return { type: str(attrs.type), key: id && source ? idempotencyKey(source, id) : undefined };
}

/** Counts every response by surface and status class. */
function countResponses(metrics: FunctionMetrics, eventPaths: readonly string[]): RequestHandler {
  return (req, res, next) => {
    res.once('finish', () => {
      const path = req.path;
      const handler: Handler =
        req.method === 'POST' && eventPaths.includes(path)
          ? 'event'
          : path.startsWith('/health/')
            ? 'health'
            : path === '/metrics'
              ? 'metrics'
              : 'route';
      metrics.response(handler, res.statusCode);
    });
    next();
  };
}

/**
 * Serves a function's own routes inside a span: a child of the request's `traceparent` header, or the root of a new
 * trace (the chat starts the trace of a user message here). Events published while it runs carry it as their parent.
 */
function traceRoutes(tracer: Tracer, fn: string): RequestHandler {
  return (req, res, next) => {
    const remote = parseTraceparent(req.get('traceparent'), req.get('tracestate'));
    const parent = remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
    const span = tracer.startSpan(
      `${req.method} ${req.path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path, 'faas.name': fn } },
      parent
    );
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

/**
 * The HTTP face of one function: `POST /` for CloudEvents (binary and structured), health probes, and the function's
 * own routes. Answers 202 with an empty body on success: a reply would carry one event only, and a non-CloudEvent
 * body counts as a failure at the Broker.
 *
 * @example
 * const app = createApp(def, deps, routeCtx, { ready: true, inflight: 0 }, 256 * 1024);
 */
export function createApp(
  def: AnyFunctionDef,
  deps: DeliveryDeps,
  routeCtx: RouteCtx,
  state: ServerState,
  bodyLimit: number,
  opts: { loopbackOnly?: boolean } = {}
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Locally every function listens on a loopback port: a DNS-rebinding page must not reach one under its own name.
  if (opts.loopbackOnly) app.use(loopbackOnly());

  const track: RequestHandler = (_req, res, next) => {
    state.inflight++;
    res.once('close', () => state.inflight--);
    next();
  };
  app.use(track);
  // `/<name>` is an alias of `/`: a URL that names its function, so a dead-letter destination says who failed.
  // A function that serves `POST /<name>` itself (the chat's `POST /chat`) keeps it: it subscribes to no events.
  const ownsNamePath = def.on.length === 0 && !def.deadLetters?.length;
  const eventPaths = ownsNamePath ? ['/'] : ['/', `/${def.name}`];
  const metrics = deps.metrics;
  if (metrics) app.use(countResponses(metrics, eventPaths));

  app.get('/health/liveness', (_req, res) => void res.type('text/plain').send('OK'));
  app.get('/health/readiness', (_req, res) => {
    const why = state.ready ? state.unready?.() : 'shutting down';
    res
      .status(why === undefined ? 200 : 503)
      .type('text/plain')
      .send(why ?? 'OK');
  });

  if (metrics) {
    app.get('/metrics', async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.text());
    });
  }

  app.post(eventPaths, express.text({ type: () => true, limit: bodyLimit }), async (req, res) => {
    const body = typeof req.body === 'string' ? req.body : '';
    const started = performance.now();
    let result: Awaited<ReturnType<typeof deliver>>;
    try {
      result = await deliver(deps, req.headers, body);
    } catch (err) {
      const { type, key } = identityOf(req.headers, body);
      const outcome = outcomeOfError(toHttpStatus(err), err instanceof CortexError ? err.code : undefined);
      metrics?.delivery({ type, key, outcome, seconds: (performance.now() - started) / 1000 });
      throw err;
    }
    const { type, id, source } = result.event;
    metrics?.delivery({
      type,
      key: idempotencyKey(source, id),
      outcome: result.outcome,
      seconds: (performance.now() - started) / 1000
    });
    const ext = result.event.extensions;
    deps.ctx.log.info(
      {
        type: result.event.type,
        id: result.event.id,
        correlationid: ext.correlationid,
        causationid: ext.causationid,
        outcome: result.outcome,
        emitted: result.emitted.map((e) => e.type),
        deadLetter: result.event.deadLetter ? true : undefined,
        traceid: result.trace.traceid,
        spanid: result.trace.spanid,
        ms: Math.round(performance.now() - started)
      },
      result.outcome === 'duplicate' ? 'duplicate delivery ignored' : 'event handled'
    );
    res.status(202).end();
  });

  if (def.routes) {
    if (deps.tracer) app.use(traceRoutes(deps.tracer, def.name));
    const router = express.Router();
    def.routes(router, routeCtx);
    app.use(router);
  }

  app.use((req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: `no route for ${req.method} ${req.path}` } });
  });

  const onError: ErrorRequestHandler = (raw, req, res, _next) => {
    const err = bodyParserError(raw) ?? raw;
    const status = toHttpStatus(err);
    const line = { status, method: req.method, path: req.path, ceType: req.get('ce-type'), ceId: req.get('ce-id'), err };
    // A dependency that is down says so once, from its connection; each request it fails is a debug line.
    if (err instanceof UnavailableError) deps.ctx.log.debug(line, 'request failed: dependency unavailable');
    else if (status >= 500) deps.ctx.log.error(line, 'request failed');
    else deps.ctx.log.warn(line, 'request rejected');
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json(toErrorBody(err));
  };
  app.use(onError);
  return app;
}
