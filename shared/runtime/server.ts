import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { AnyFunctionDef, RouteCtx } from './define-function.js';
import { deliver, type DeliveryDeps } from './delivery.js';
import { PayloadTooLargeError, RequestError, toErrorBody, toHttpStatus, UnsupportedMediaTypeError } from './errors.js';

/** Liveness, readiness and in-flight accounting, shared by the server and the shutdown sequence. */
export interface ServerState {
  ready: boolean;
  inflight: number;
}

/** Maps body-parser failures onto our error classes, so every error body has the same shape. */
function bodyParserError(err: { type?: string; message: string; limit?: number }): Error | undefined {
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

/**
 * The HTTP face of one function: `POST /` for CloudEvents (binary and structured), health probes, and the function's
 * own routes. Answers 202 with an empty body on success: a reply would carry one event only, and a non-CloudEvent
 * body counts as a failure at the Broker.
 *
 * @example
 * const app = createApp(def, deps, routeCtx, { ready: true, inflight: 0 }, 256 * 1024);
 */
export function createApp(def: AnyFunctionDef, deps: DeliveryDeps, routeCtx: RouteCtx, state: ServerState, bodyLimit: number): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const track: RequestHandler = (_req, res, next) => {
    state.inflight++;
    res.once('close', () => state.inflight--);
    next();
  };
  app.use(track);

  app.get('/health/liveness', (_req, res) => void res.type('text/plain').send('OK'));
  app.get('/health/readiness', (_req, res) => void res.status(state.ready ? 200 : 503).type('text/plain').send(state.ready ? 'OK' : 'shutting down'));

  // `/<name>` is an alias of `/`: a URL that names its function, so a dead-letter destination says who failed.
  // A function that serves `POST /<name>` itself (the chat's `POST /chat`) keeps it: it subscribes to no events.
  const ownsNamePath = def.on.length === 0 && !def.deadLetters?.length;
  app.post(ownsNamePath ? ['/'] : ['/', `/${def.name}`], express.text({ type: () => true, limit: bodyLimit }), async (req, res) => {
    const body = typeof req.body === 'string' ? req.body : '';
    const started = performance.now();
    const result = await deliver(deps, req.headers, body);
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
        ms: Math.round(performance.now() - started)
      },
      result.outcome === 'duplicate' ? 'duplicate delivery ignored' : 'event handled'
    );
    res.status(202).end();
  });

  if (def.routes) {
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
    if (status >= 500) deps.ctx.log.error(line, 'request failed');
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
