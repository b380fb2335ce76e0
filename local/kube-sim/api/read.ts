import { type IncomingMessage, type ServerResponse } from 'node:http';
import { badRequest, notFound } from '../api-errors.js';
import { type ResourceDef, groupVersion } from '../resources.js';
import { SelectorError, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../selectors.js';
import { partialObjectMetadata, toTable } from '../tables.js';
import { type KubeObject } from '../types.js';
import { type ApiContext } from './context.js';
import { sendJson, wantsPartial, wantsTable } from './http-util.js';
import { listPage, waitForRv } from './paging.js';
import { type ListQuery, parseResourceVersion } from './query.js';

/*
 * get and list, answered as objects, as a Table (rows with PartialObjectMetadata) or as metadata only, as asked.
 */

export interface Selection {
  labels: ReturnType<typeof parseLabelSelector>;
  fields: ReturnType<typeof parseFieldSelector>;
}

/** Parses labelSelector and fieldSelector; a bad selector is a 400. */
export function parseSelection(q: { labelSelector?: string; fieldSelector?: string }, kind: string): Selection {
  try {
    return {
      labels: parseLabelSelector(q.labelSelector),
      fields: parseFieldSelector(q.fieldSelector, kind)
    };
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
}

export const selects = (sel: Selection, obj: KubeObject): boolean =>
  matchesLabels(sel.labels, obj.metadata.labels) && matchesFields(sel.fields, obj);

export function listObjects(ctx: ApiContext, def: ResourceDef, namespace: string | undefined, sel: Selection): KubeObject[] {
  return ctx.store.list(def, namespace).filter((o) => selects(sel, o));
}

/** A list, paged by limit/continue, as objects, a Table or metadata only. */
export async function serveList(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  def: ResourceDef,
  namespace: string | undefined,
  o: ListQuery
): Promise<void> {
  const sel = parseSelection(o, def.kind);
  const { items, ...meta } = await listPage(ctx, def, namespace, o, (obj) => selects(sel, obj));
  if (wantsTable(req.headers.accept)) {
    sendJson(res, 200, toTable(def.kind, items, meta, ctx.now()));
    return;
  }
  if (wantsPartial(req.headers.accept)) {
    sendJson(res, 200, {
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
      metadata: meta,
      items: items.map(partialObjectMetadata)
    });
    return;
  }
  sendJson(res, 200, { kind: `${def.kind}List`, apiVersion: groupVersion(def), metadata: meta, items });
}

/** GET of one object; `resourceVersion` (GetOptions) is "not older than", so a future one waits, then 504s. */
export async function getOrThrow(
  ctx: ApiContext,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  q?: URLSearchParams
): Promise<KubeObject> {
  const rv = q?.get('resourceVersion');
  if (rv && rv !== '0') await waitForRv(ctx, parseResourceVersion(rv));
  const obj = ctx.store.get(def, namespace, name);
  if (!obj) throw notFound(def, name);
  return obj;
}

/** Answers one object in the representation the Accept header asks for. */
export function sendObject(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, code: number, obj: KubeObject): void {
  if (wantsTable(req.headers.accept)) sendJson(res, code, toTable(obj.kind, [obj], obj.metadata.resourceVersion, ctx.now()));
  else if (wantsPartial(req.headers.accept)) sendJson(res, code, partialObjectMetadata(obj));
  else sendJson(res, code, obj);
}
