import { type IncomingMessage, type ServerResponse } from 'node:http';
import { expired } from '../api-errors.js';
import { type ResourceDef, qualifiedName } from '../resources.js';
import { type Change } from '../store.js';
import { toTable } from '../tables.js';
import { type KubeObject } from '../types.js';
import { type ApiContext } from './context.js';
import { wantsTable } from './http-util.js';
import { type ListQuery, parseResourceVersion } from './query.js';
import { parseSelection, selects } from './read.js';

/*
 * Watches: headers are flushed at once (kubectl rollout status hangs otherwise), then newline-delimited events.
 * Without a resourceVersion (or "0") the stream starts with a synthetic ADDED per object; with one it replays the
 * history after it, or sends one ERROR 410 Expired and closes when the history no longer reaches back that far.
 * With selectors, an object that starts or stops matching arrives as ADDED or DELETED, as from the API server.
 */

export function serveWatch(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  def: ResourceDef,
  namespace: string | undefined,
  o: ListQuery
): void {
  const sel = parseSelection(o, def.kind);
  const rvParam = o.resourceVersion ?? '';
  const fromRv = rvParam === '' || rvParam === '0' ? undefined : parseResourceVersion(rvParam);
  const timeoutSeconds = o.timeoutSeconds;
  const bookmarks = o.allowWatchBookmarks;
  const asTable = wantsTable(req.headers.accept);
  const resource = qualifiedName(def);

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked'
  });
  res.flushHeaders();

  const inScope = (o: KubeObject): boolean =>
    !def.namespaced || namespace === undefined || o.metadata.namespace === namespace;
  const matches = (o: KubeObject | undefined): boolean => o !== undefined && inScope(o) && selects(sel, o);
  const write = (type: string, object: unknown): void => {
    if (res.writableEnded || res.destroyed) return;
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const send = (type: string, o: KubeObject): void => {
    write(type, asTable ? toTable(def.kind, [o], o.metadata.resourceVersion, ctx.now()) : o);
  };
  const deliver = (c: Change): void => {
    if (c.resource !== resource || (fromRv !== undefined && c.rv <= fromRv)) return;
    const now = matches(c.object);
    if (c.type === 'MODIFIED') {
      const before = matches(c.previous);
      if (before && now) send('MODIFIED', c.object);
      else if (now) send('ADDED', c.object);
      else if (before) send('DELETED', c.object);
      return;
    }
    if (now) send(c.type, c.object);
  };

  if (fromRv === undefined) {
    for (const o of ctx.store.list(def, namespace)) if (matches(o)) send('ADDED', o);
  } else {
    const replay = ctx.store.changesSince(fromRv);
    if ('expired' in replay) {
      write('ERROR', expired(fromRv, replay.expired).status);
      res.end();
      return;
    }
    for (const c of replay.changes) deliver(c);
  }

  const unsubscribe = ctx.store.subscribe(deliver);
  const timers: NodeJS.Timeout[] = [];
  const finish = (): void => {
    ctx.watches.delete(finish);
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    if (!res.writableEnded) res.end();
  };
  ctx.watches.add(finish);
  if (timeoutSeconds !== undefined && timeoutSeconds > 0) timers.push(setTimeout(finish, timeoutSeconds * 1000));
  if (bookmarks) {
    const tick = setInterval(
      () =>
        write('BOOKMARK', {
          kind: def.kind,
          apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
          metadata: { resourceVersion: String(ctx.store.currentRv()) }
        }),
      ctx.bookmarkMs
    );
    timers.push(tick);
    res.on('close', () => clearInterval(tick));
  }
  req.on('close', finish);
  res.on('close', finish);
}
