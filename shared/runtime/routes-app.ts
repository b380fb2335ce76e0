import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { RequestListener } from 'node:http';
import { context, type Tracer } from '@opentelemetry/api';
import { endServerSpan, startServerSpan } from '../tracing/server-span.js';
import type { AnyFunctionDef, RouteCtx } from './define-function.js';
import { CortexError, PayloadTooLargeError, RequestError, UnsupportedMediaTypeError } from './errors.js';
import { answerError, answerNotFound } from './server.js';

/*
 * The express app of a function that serves routes of its own (the chat, the relay, approvals, history): loaded only
 * by them (run.ts), so the other functions start without express. The runtime's core (server.ts) answers the probes,
 * metrics and deliveries first and hands it every other request.
 */

/** Maps body-parser failures (a route's express.json()) onto our error classes, so every error body has the same shape. */
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

/**
 * Serves a function's own routes inside a span: a child of the request's `traceparent` header, or the root of a new
 * trace (the chat starts the trace of a user message here). Events published while it runs carry it as their parent.
 */
function traceRoutes(tracer: Tracer, fn: string): RequestHandler {
  return (req, res, next) => {
    const { span, context: active } = startServerSpan(tracer, fn, req.method, req.path, req.headers);
    res.once('close', () => endServerSpan(span, res.statusCode));
    context.with(active, next);
  };
}

/**
 * The function's routes as a request listener: traced, its router, then 404 and the JSON error answer.
 *
 * @example
 * const routes = createRoutesApp(def, routeCtx, tracer);
 */
export function createRoutesApp(def: AnyFunctionDef, routeCtx: RouteCtx, tracer: Tracer | undefined): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (tracer) app.use(traceRoutes(tracer, def.name));
  const router = express.Router();
  def.routes?.(router, routeCtx);
  app.use(router);
  app.use((req, res) => answerNotFound(req, res));
  const onError: ErrorRequestHandler = (raw, req, res, _next) =>
    answerError(bodyParserError(raw) ?? raw, req, res, routeCtx.log);
  app.use(onError);
  return app;
}
