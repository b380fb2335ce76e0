import { posix } from 'node:path';
import { ApiError, badRequest, expired, tooLargeResourceVersion } from '../api-errors.js';
import { type ResourceDef, qualifiedName } from '../resources.js';
import { type KubeObject } from '../types.js';
import { type ApiContext } from './context.js';
import { type ListQuery, parseResourceVersion } from './query.js';

/*
 * limit/continue as the API server pages lists out of etcd: items in key order (`<namespace>/<name>`), at most
 * `limit` per page, and a continue token (base64url JSON {v, rv, start}) that resumes after the last key at the SAME
 * resourceVersion. The first page of a paged list keeps a snapshot of the resource at that resourceVersion, so every
 * later page reads the state the first one saw. etcd compacts old revisions every 5 minutes: a token older than that
 * answers 410 Expired with a fresh token that continues at the current state (rv -1), as the API server does.
 * `resourceVersion=0` is served from the watch cache, which ignores `limit`.
 */

/** Snapshots of whole resources at a resourceVersion, dropped after `ttlMs` (compaction) or when too many are kept. */
export class ListSnapshots {
  private readonly byKey = new Map<string, { at: number; objects: KubeObject[] }>();

  constructor(private readonly o: { ttlMs: number; max: number; now: () => number }) {}

  save(resource: string, rv: number, objects: KubeObject[]): void {
    const key = `${resource}@${rv}`;
    if (this.get(resource, rv)) return;
    this.byKey.set(key, { at: this.o.now(), objects });
    while (this.byKey.size > this.o.max) this.byKey.delete(this.byKey.keys().next().value!);
  }

  /** The objects of `resource` at `rv`, or undefined when that state was never kept or is compacted away. */
  get(resource: string, rv: number): KubeObject[] | undefined {
    const key = `${resource}@${rv}`;
    const snap = this.byKey.get(key);
    if (!snap) return undefined;
    if (this.o.now() - snap.at > this.o.ttlMs) {
      this.byKey.delete(key);
      return undefined;
    }
    return snap.objects;
  }
}

const INCONSISTENT_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without ' +
  'the continue parameter, or use the continue token in this response to retrieve the remainder of the results. ' +
  'Continuing with the provided token results in an inconsistent list - objects that were created, modified, or ' +
  'deleted between the time the first chunk was returned and now may show up in the list.';

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

/** storage.DecodeContinue; every failure is a 400 `invalid continue token: continue key is not valid…`. */
export function decodeContinue(token: string): { rv: number; start: string } {
  const invalidToken = (why: string): ApiError => badRequest(`invalid continue token: continue key is not valid${why}`);
  const bad = /[^A-Za-z0-9_-]/.exec(token);
  if (bad || token.length % 4 === 1)
    throw invalidToken(`: illegal base64 data at input byte ${bad ? bad.index : token.length - 1}`);
  let c: { v?: unknown; rv?: unknown; start?: unknown };
  try {
    c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof c;
  } catch (err) {
    throw invalidToken(`: ${(err as Error).message}`);
  }
  if (c?.v !== 'meta.k8s.io/v1')
    throw invalidToken(`: server does not recognize this encoded version ${String(c?.v ?? '')}`);
  if (typeof c.rv !== 'number' || !Number.isInteger(c.rv) || c.rv === 0)
    throw invalidToken(': incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof c.start !== 'string' || c.start === '')
    throw invalidToken(': encoded start key empty (version meta.k8s.io/v1)');
  // path.Clean must not change the key: a token cannot reach above the list's own key prefix.
  const key = c.start.startsWith('/') ? c.start : `/${c.start}`;
  const cleaned = posix.normalize(key).replace(/(.)\/$/, '$1');
  if (cleaned !== key) throw invalidToken(`: ${c.start}`);
  return { rv: c.rv, start: key.slice(1) };
}

export interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** The key of an object inside the list's key prefix: `<name>` in one namespace, `<namespace>/<name>` across them. */
const scopedKey = (def: ResourceDef, namespace: string | undefined) => (o: KubeObject) =>
  def.namespaced && namespace === undefined ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;

/** Resolves when the store reaches `rv`, or fails with 504 after 3 s, as the watch cache does. */
export async function waitForRv(ctx: ApiContext, rv: number): Promise<void> {
  const deadline = Date.now() + 3000;
  while (ctx.store.currentRv() < rv) {
    if (Date.now() > deadline) throw tooLargeResourceVersion(rv, ctx.store.currentRv());
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The objects of the resource at the state a list asks for, and that state's resourceVersion. */
async function stateFor(ctx: ApiContext, def: ResourceDef, o: ListQuery, paging: boolean): Promise<[KubeObject[], number]> {
  const current = ctx.store.currentRv();
  if (!o.resourceVersion || o.resourceVersion === '0') return [ctx.store.list(def), current];
  const rv = parseResourceVersion(o.resourceVersion);
  // Exact (and, for a paged list, the legacy unspecified match) reads etcd at that revision.
  if (o.resourceVersionMatch === 'Exact' || (paging && !o.resourceVersionMatch)) {
    if (rv === current) return [ctx.store.list(def), current];
    const snap = ctx.snapshots.get(qualifiedName(def), rv);
    if (snap) return [snap, rv];
    if (rv > current) throw tooLargeResourceVersion(rv, current);
    throw new ApiError(410, 'Expired', 'The resourceVersion for the provided list is too old.');
  }
  await waitForRv(ctx, rv);
  return [ctx.store.list(def), ctx.store.currentRv()];
}

/**
 * One page of a list: the scoped, selected objects at the requested state, after the continue token's key, at most
 * `limit` of them, with the next token and (unfiltered lists only) how many remain.
 */
export async function listPage(
  ctx: ApiContext,
  def: ResourceDef,
  namespace: string | undefined,
  o: ListQuery,
  selects: (obj: KubeObject) => boolean
): Promise<ListPage> {
  const resource = qualifiedName(def);
  const limit = o.limit ?? 0;
  let source: KubeObject[];
  let rv: number;
  let start: string | undefined;
  let paging = limit > 0 && o.resourceVersion !== '0';
  if (o.continue) {
    if (o.resourceVersion && o.resourceVersion !== '0')
      throw badRequest('specifying resource version is not allowed when using continue');
    const token = decodeContinue(o.continue);
    start = token.start;
    paging = limit > 0;
    // rv -1 continues over the current state; so does a token of the current resourceVersion (nothing changed since,
    // and etcd never compacts its newest revision).
    if (token.rv === -1 || token.rv === ctx.store.currentRv()) [source, rv] = [ctx.store.list(def), ctx.store.currentRv()];
    else {
      const snap = ctx.snapshots.get(resource, token.rv);
      if (!snap) {
        const err = expired(token.rv, ctx.store.currentRv());
        err.status.message = INCONSISTENT_CONTINUE;
        err.status.metadata = { continue: encodeContinue(-1, start) };
        throw err;
      }
      [source, rv] = [snap, token.rv];
    }
  } else [source, rv] = await stateFor(ctx, def, o, paging);

  const key = scopedKey(def, namespace);
  const matching = source
    .filter((obj) => (!def.namespaced || namespace === undefined || obj.metadata.namespace === namespace) && selects(obj))
    .map((obj) => [key(obj), obj] as const)
    .filter(([k]) => start === undefined || k > start)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, obj]) => obj);
  if (!paging || matching.length <= limit) return { items: matching, resourceVersion: String(rv) };
  ctx.snapshots.save(resource, rv, source);
  const items = matching.slice(0, limit);
  const unfiltered = !o.labelSelector && !o.fieldSelector;
  return {
    items,
    resourceVersion: String(rv),
    continue: encodeContinue(rv, `${key(items[items.length - 1]!)}\u0000`),
    ...(unfiltered ? { remainingItemCount: matching.length - limit } : {})
  };
}
