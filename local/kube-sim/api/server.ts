import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { ApiError, internalError, methodNotAllowed, unknownResource } from '../api-errors.js';
import { type ResourceDef, groupVersion } from '../resources.js';
import { writeOf } from './audit.js';
import { type ApiContext } from './context.js';
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import { mediaType, parseJson, readBody, sendJson, sendStatus, sendText } from './http-util.js';
import { servePodLog } from './pod-log.js';
import { getOrThrow, listObjects, parseSelection, sendObject, serveList } from './read.js';
import { parseRoute } from './routes.js';
import { patchScale, readScale, replaceScale } from './scale.js';
import { serveVirtual } from './virtual.js';
import { serveWatch } from './watch.js';
import { createObject, deleteObject, parseDeleteOptions, patchObject, updateObject } from './write.js';

/*
 * The HTTP front of the simulator: routing, verbs, and the error contract. Every failure becomes a Status answer;
 * no request can stop the server from serving the next one.
 */

export function createApiServer(ctx: ApiContext): Server {
  const server = createServer({ keepAlive: true }, (req, res) => {
    const started = Date.now();
    handle(ctx, req, res)
      .catch((err: unknown) => {
        if (err instanceof ApiError) sendStatus(res, err.status);
        else {
          ctx.log.error({ err, method: req.method, url: req.url }, 'request failed');
          sendStatus(res, internalError(err instanceof Error ? err.message : String(err)).status);
        }
        if (!req.complete) req.resume();
      })
      .finally(() =>
        ctx.log.debug({ method: req.method, url: req.url, status: res.statusCode, ms: Date.now() - started }, 'request')
      );
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  return server;
}

async function handle(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const injected = ctx.intercept(method, url.pathname);
  if (injected) {
    req.resume();
    if (injected.hang) return;
    sendStatus(res, new ApiError(injected.code, injected.reason, injected.message).status);
    return;
  }
  const path = url.pathname.replace(/\/+$/, '') || '/';
  switch (path) {
    case '/healthz':
    case '/readyz':
    case '/livez':
      return sendText(res, 200, 'ok');
    case '/version':
      return sendJson(res, 200, versionInfo());
  }
  const route = parseRoute(path);
  const write = writeOf(method, route, ctx.identify(req), isDryRun(url.searchParams));
  if (write) res.once('finish', () => ctx.recordWrite({ ...write, at: ctx.now(), code: res.statusCode }));
  switch (route.type) {
    case 'api-versions':
      return sendJson(res, 200, apiVersions(ctx.serverAddress()));
    case 'api-groups':
      return sendJson(res, 200, apiGroupList());
    case 'api-group':
      return sendJson(res, 200, apiGroupDoc(route.group));
    case 'resource-list':
      return sendJson(res, 200, apiResourceList(route.group, route.version));
    case 'unknown':
      req.resume();
      throw unknownResource();
    case 'resource':
      if (route.def.virtual) return serveVirtual(ctx, req, res, route.def, route.namespace, route.name);
      if (route.name === undefined) return collection(ctx, req, res, route.def, route.namespace, url.searchParams);
      return item(ctx, req, res, route.def, route.namespace, route.name, route.sub, url.searchParams);
  }
}

const isDryRun = (q: URLSearchParams): boolean => q.getAll('dryRun').includes('All');

async function collection(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  def: ResourceDef,
  namespace: string | undefined,
  q: URLSearchParams
): Promise<void> {
  if (def.namespaced && namespace === undefined && req.method !== 'GET') {
    req.resume();
    throw methodNotAllowed();
  }
  switch (req.method) {
    case 'GET':
      if (q.get('watch') === 'true' || q.get('watch') === '1') return serveWatch(ctx, req, res, def, namespace, q);
      return serveList(ctx, req, res, def, namespace, q);
    case 'POST': {
      const body = parseJson(await readBody(req));
      return sendObject(ctx, req, res, 201, createObject(ctx.store, def, body, namespace, isDryRun(q)));
    }
    case 'DELETE': {
      const opts = parseDeleteOptions(await readBody(req), q);
      const victims = listObjects(ctx, def, namespace, parseSelection(q, def.kind));
      const items = victims.map((v) => {
        const r = deleteObject(ctx.store, def, v.metadata.namespace, v.metadata.name, opts, ctx.now(), isDryRun(q));
        return (r as { kind?: string }).kind === 'Status' ? v : r;
      });
      return sendJson(res, 200, {
        kind: `${def.kind}List`,
        apiVersion: groupVersion(def),
        metadata: { resourceVersion: String(ctx.store.currentRv()) },
        items
      });
    }
    default:
      req.resume();
      throw methodNotAllowed();
  }
}

async function item(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  sub: string | undefined,
  q: URLSearchParams
): Promise<void> {
  const dryRun = isDryRun(q);
  if (sub !== undefined && !(def.subresources ?? []).some((s) => s.name === sub)) {
    req.resume();
    throw unknownResource();
  }
  if (sub === 'log') {
    if (req.method !== 'GET') throw methodNotAllowed();
    return servePodLog(ctx, req, res, namespace, name, q);
  }
  if (sub === 'scale') {
    switch (req.method) {
      case 'GET':
        return sendJson(res, 200, readScale(ctx.store, def, namespace, name));
      case 'PUT':
        return sendJson(res, 200, replaceScale(ctx.store, def, namespace, name, parseJson(await readBody(req)), dryRun));
      case 'PATCH':
        return sendJson(
          res,
          200,
          patchScale(ctx.store, def, namespace, name, mediaType(req.headers['content-type']), await readBody(req), dryRun)
        );
      default:
        req.resume();
        throw methodNotAllowed();
    }
  }
  switch (req.method) {
    case 'GET':
      return sendObject(ctx, req, res, 200, getOrThrow(ctx, def, namespace, name));
    case 'PUT': {
      const body = parseJson(await readBody(req));
      return sendObject(ctx, req, res, 200, updateObject(ctx.store, def, body, namespace, name, sub, dryRun));
    }
    case 'PATCH': {
      const r = patchObject(
        ctx.store,
        def,
        namespace,
        name,
        sub,
        mediaType(req.headers['content-type']),
        await readBody(req),
        dryRun
      );
      return sendObject(ctx, req, res, r.code, r.object);
    }
    case 'DELETE': {
      if (sub !== undefined) throw methodNotAllowed();
      const opts = parseDeleteOptions(await readBody(req), q);
      return sendJson(res, 200, deleteObject(ctx.store, def, namespace, name, opts, ctx.now(), dryRun));
    }
    default:
      req.resume();
      throw methodNotAllowed();
  }
}
