import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, type Tracer } from '@opentelemetry/api';
import { endServerSpan, startServerSpan } from '../tracing/server-span.js';
import { pathOf } from './server.js';

/*
 * A function's own routes on plain node:http, for a function that needs nothing of express (the relay's page): loading
 * express's CommonJS tree (router, body-parser, iconv-lite, an 830 KB chunk) was the largest part of the relay's cold
 * start that other functions do not pay (README "Performance").
 */

/**
 * Answers a request, or calls `next()` to leave it to the runtime, which answers the JSON 404 of any unknown route;
 * `next(err)` answers `err` as any route's error (its status and JSON body). Connect's middleware signature, so a
 * library's middleware fits as it is.
 */
export type RawRoutes = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * Serves `routes` inside a server span per request, as the express app serves its routes.
 *
 * @example
 * const routes = traceRawRoutes(def.rawRoutes(routeCtx), tracer, def.name);
 */
export function traceRawRoutes(routes: RawRoutes, tracer: Tracer | undefined, fn: string): RawRoutes {
  if (!tracer) return routes;
  return (req, res, next) => {
    const { span, context: active } = startServerSpan(tracer, fn, req.method ?? 'GET', pathOf(req), req.headers);
    res.once('close', () => endServerSpan(span, res.statusCode));
    context.with(active, () => routes(req, res, next));
  };
}
