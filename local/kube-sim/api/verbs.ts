import { type IncomingMessage, type ServerResponse } from 'node:http';
import { methodNotAllowed, unknownResource } from '../api-errors.js';
import { type ResourceDef, groupVersion } from '../resources.js';
import { type ApiContext } from './context.js';
import { serveEviction } from './eviction.js';
import { mediaType, parseJson, readBody, sendJson } from './http-util.js';
import { servePodLog } from './pod-log.js';
import { listQuery, patchOptions, writeOptions } from './query.js';
import { getOrThrow, parseSelection, selects, sendObject, serveList } from './read.js';
import { patchScale, readScale, replaceScale } from './scale.js';
import { serveTokenRequest } from './token-request.js';
import { serveWatch } from './watch.js';
import { deleteObject, parseDeleteOptions } from './delete.js';
import { createObject, patchObject, updateObject } from './write.js';

/*
 * The verbs on collections (list, watch, create, deletecollection) and on items and their subresources (get, update,
 * patch, delete; log, scale, status, eviction, token), each with its query parameters decoded as the API server does.
 */

function refuse(req: IncomingMessage): never {
  req.resume();
  throw methodNotAllowed();
}

export async function serveCollection(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  def: ResourceDef,
  namespace: string | undefined,
  q: URLSearchParams
): Promise<void> {
  if (def.namespaced && namespace === undefined && req.method !== 'GET') refuse(req);
  switch (req.method) {
    case 'GET': {
      const o = listQuery(q);
      return o.watch ? serveWatch(ctx, req, res, def, namespace, o) : serveList(ctx, req, res, def, namespace, o);
    }
    case 'POST': {
      const { dryRun } = writeOptions(q, 'Create');
      const body = parseJson(await readBody(req));
      return sendObject(ctx, req, res, 201, createObject(ctx.store, def, body, namespace, dryRun));
    }
    case 'DELETE': {
      const sel = parseSelection(listQuery(q), def.kind);
      const opts = parseDeleteOptions(await readBody(req), q);
      if (opts.dryRun) ctx.audit.markDryRun(req);
      const victims = ctx.store.list(def, namespace).filter((o) => selects(sel, o));
      const items = victims.map((v) => {
        const r = deleteObject(ctx.store, def, v.metadata.namespace, v.metadata.name, opts, ctx.now());
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
      refuse(req);
  }
}

async function serveScale(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  q: URLSearchParams
): Promise<void> {
  switch (req.method) {
    case 'GET':
      return sendJson(res, 200, readScale(ctx.store, def, namespace, name));
    case 'PUT': {
      const { dryRun } = writeOptions(q, 'Update');
      return sendJson(res, 200, replaceScale(ctx.store, def, namespace, name, parseJson(await readBody(req)), dryRun));
    }
    case 'PATCH': {
      const contentType = mediaType(req.headers['content-type']);
      const { dryRun } = patchOptions(q, contentType);
      return sendJson(res, 200, patchScale(ctx.store, def, namespace, name, contentType, await readBody(req), dryRun));
    }
    default:
      refuse(req);
  }
}

export async function serveItem(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  sub: string | undefined,
  q: URLSearchParams
): Promise<void> {
  if (sub !== undefined && !(def.subresources ?? []).some((s) => s.name === sub)) {
    req.resume();
    throw unknownResource();
  }
  switch (sub) {
    case 'log':
      if (req.method !== 'GET') refuse(req);
      return servePodLog(ctx, req, res, namespace, name, q);
    case 'eviction':
      return serveEviction(ctx, req, res, namespace, name, q);
    case 'token':
      return serveTokenRequest(ctx, req, res, namespace, name);
    case 'scale':
      return serveScale(ctx, req, res, def, namespace, name, q);
  }
  switch (req.method) {
    case 'GET':
      return sendObject(ctx, req, res, 200, await getOrThrow(ctx, def, namespace, name, q));
    case 'PUT': {
      const { dryRun } = writeOptions(q, 'Update');
      const body = parseJson(await readBody(req));
      return sendObject(ctx, req, res, 200, updateObject(ctx.store, def, body, namespace, name, sub, dryRun));
    }
    case 'PATCH': {
      const contentType = mediaType(req.headers['content-type']);
      const { dryRun } = patchOptions(q, contentType);
      const r = patchObject(ctx.store, def, namespace, name, sub, contentType, await readBody(req), dryRun);
      return sendObject(ctx, req, res, r.code, r.object);
    }
    case 'DELETE': {
      if (sub !== undefined) refuse(req);
      const opts = parseDeleteOptions(await readBody(req), q);
      if (opts.dryRun) ctx.audit.markDryRun(req);
      return sendJson(res, 200, deleteObject(ctx.store, def, namespace, name, opts, ctx.now()));
    }
    default:
      refuse(req);
  }
}
