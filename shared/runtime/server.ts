import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RawRoutes } from './raw-routes.js';
import { readText } from './body.js';
import type { AnyFunctionDef } from './define-function.js';
import { deliver, type DeliveryDeps } from './delivery.js';
import { CortexError, toErrorBody, toHttpStatus, UnavailableError } from './errors.js';
import { idempotencyKey } from './idempotency.js';
import { hostProblem } from './browser-writes.js';
import { outcomeOfError, type Handler } from './metrics.js';
import type { Logger } from './logging.js';

/*
 * The HTTP face of one function on node:http: `POST /` for CloudEvents, the health probes and `/metrics`. A function
 * with routes of its own hands every other request to its express app (the chat, approvals, history: routes-app.ts) or
 * to its routes on plain node:http (the relay's page: raw-routes.ts); the others never load express. Why not express
 * for all (README "Performance"): express's CommonJS tree (body-parser, iconv-lite, router, negotiator) was the largest
 * single cost of a function's cold start.
 */

/** Liveness, readiness and in-flight accounting, shared by the server and the shutdown sequence. */
export interface ServerState {
  ready: boolean;
  inflight: number;
  /** Why a dependency the function cannot work without is away (Redis down), or undefined: readiness says so. */
  unready?: (() => string | undefined) | undefined;
}

/** The path of a request, without its query; matched as express did (case-insensitive, a trailing slash allowed). */
export const pathOf = (req: IncomingMessage): string => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
};
export const routeKey = (path: string): string =>
  (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).toLowerCase();

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }).end(body);
}
const sendJson = (res: ServerResponse, status: number, body: unknown): void =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
const sendText = (res: ServerResponse, status: number, body: string): void =>
  send(res, status, 'text/plain; charset=utf-8', body);

/**
 * Answers an error with its status and JSON body (toErrorBody), logged at the level its status deserves: what every
 * request that fails gets, here and in the routes' express app.
 */
export function answerError(err: unknown, req: IncomingMessage, res: ServerResponse, log: Logger): void {
  const status = toHttpStatus(err);
  const ceType = req.headers['ce-type'];
  const ceId = req.headers['ce-id'];
  const line = { status, method: req.method, path: pathOf(req), ceType, ceId, err };
  // A dependency that is down says so once, from its connection; each request it fails is a debug line.
  if (err instanceof UnavailableError) log.debug(line, 'request failed: dependency unavailable');
  else if (status >= 500) log.error(line, 'request failed');
  else log.warn(line, 'request rejected');
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status, toErrorBody(err));
}

/** The JSON 404 of a request no route serves, here and in the routes' express app. */
export const answerNotFound = (req: IncomingMessage, res: ServerResponse): void =>
  sendJson(res, 404, { error: { code: 'not_found', message: `no route for ${req.method} ${pathOf(req)}` } });

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

/** The surface a response counts under. */
function handlerOf(method: string | undefined, key: string, eventPaths: ReadonlySet<string>): Handler {
  if (method === 'POST' && eventPaths.has(key)) return 'event';
  if (key.startsWith('/health/')) return 'health';
  return key === '/metrics' ? 'metrics' : 'route';
}

/** Handles one delivery: reads the body, delivers it, counts and logs what became of it; answers 202 on success. */
async function receive(deps: DeliveryDeps, bodyLimit: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readText(req, bodyLimit);
  const started = performance.now();
  const metrics = deps.metrics;
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
      type,
      id,
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
  res.writeHead(202).end();
}

/**
 * The request listener of one function: `POST /` for CloudEvents (binary and structured), health probes, metrics, and
 * the function's own routes (`routes`: its express app, or its raw routes). Answers 202 with an empty body on success: a
 * reply would carry one event only, and a non-CloudEvent body counts as a failure at the Broker.
 *
 * @example
 * const server = createServer(createApp(def, deps, { ready: true, inflight: 0 }, 256 * 1024));
 */
export function createApp(
  def: AnyFunctionDef,
  deps: DeliveryDeps,
  state: ServerState,
  bodyLimit: number,
  opts: { loopbackOnly?: boolean; refuseEvents?: string | undefined; routes?: RawRoutes | undefined } = {}
): RequestListener {
  // `/<name>` is an alias of `/`: a URL that names its function, so a dead-letter destination says who failed.
  // A function that serves `POST /<name>` itself (the chat's `POST /chat`) keeps it: it subscribes to no events.
  const ownsNamePath = def.on.length === 0 && !def.deadLetters?.length;
  // A split function's ingest Service is a name of its own (the local broker calls `/<that name>`).
  const ingest = def.knative?.split?.ingest;
  const eventPaths = new Set(ownsNamePath ? ['/'] : ['/', `/${def.name}`, ...(ingest ? [`/${ingest}`] : [])]);
  const { metrics } = deps;
  const log = deps.ctx.log;
  const { refuseEvents: refused, routes } = opts;

  return (req, res) => {
    state.inflight++;
    res.once('close', () => state.inflight--);
    const key = routeKey(pathOf(req));
    if (metrics) res.once('finish', () => metrics.response(handlerOf(req.method, key, eventPaths), res.statusCode));
    const fail = (err: unknown): void => answerError(err, req, res, log);
    // Locally every function listens on a loopback port: a DNS-rebinding page must not reach one under its own name.
    const wrongHost = opts.loopbackOnly ? hostProblem(req.headers.host) : undefined;
    if (wrongHost) return fail(wrongHost);
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read && key === '/health/liveness') return sendText(res, 200, 'OK');
    if (read && key === '/health/readiness') {
      const why = state.ready ? state.unready?.() : 'shutting down';
      return sendText(res, why === undefined ? 200 : 503, why ?? 'OK');
    }
    if (read && key === '/metrics' && metrics) {
      void metrics.text().then((text) => send(res, 200, metrics.registry.contentType, text), fail);
      return;
    }
    if (req.method === 'POST' && eventPaths.has(key)) {
      // Refused before the body is read: nothing is parsed, verified or stored.
      if (refused !== undefined) return sendJson(res, 404, { error: { code: 'no_event_ingest', message: refused } });
      void receive(deps, bodyLimit, req, res).catch(fail);
      return;
    }
    if (!routes) return answerNotFound(req, res);
    routes(req, res, (err) => (err === undefined ? answerNotFound(req, res) : fail(err)));
  };
}
