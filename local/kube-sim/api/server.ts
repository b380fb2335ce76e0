import { type IncomingMessage, type ServerResponse } from 'node:http';
import { ApiError, internalError, unknownResource } from '../api-errors.js';
import { impersonate, wantsImpersonation } from '../auth/impersonation.js';
import { authorize, forbidden } from '../auth/rbac.js';
import { requestAttributes } from '../auth/request-info.js';
import { type UserInfo } from '../auth/user.js';
import { serveReview } from './access-review.js';
import { type ApiContext } from './context.js';
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import { sendJson, sendStatus, sendText } from './http-util.js';
import { parseRoute } from './routes.js';
import { serveCollection, serveItem } from './verbs.js';
import { serveVirtual } from './virtual.js';

/*
 * The HTTP front of the simulator, in the API server's filter order: authentication (401), impersonation,
 * authorization (403 with the API server's message) and the audit record, then routing and the verbs. Every failure
 * becomes a Status answer; no request can stop the server from serving the next one.
 */

/** The request handler of the API, for the HTTP and the HTTPS side of the listener alike. */
export function apiHandler(ctx: ApiContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
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
  };
}

/** Authenticates, impersonates and authorizes; returns the user the request acts as. */
async function admit(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<UserInfo> {
  const method = req.method ?? 'GET';
  const requester = await ctx.auth.authenticate(req.headers.authorization);
  ctx.audit.begin(req, res, requester);
  const impersonating = wantsImpersonation(req.headers);
  const user = impersonating
    ? impersonate(requester, req.headers, req.headersDistinct, (a) => authorize(ctx.rbac, a))
    : requester;
  const attributes = requestAttributes(method, url.pathname, url.searchParams, user);
  const decision = authorize(ctx.rbac, attributes);
  ctx.audit.authorized(req, attributes, decision, impersonating);
  if (!decision.allowed) throw forbidden(attributes, decision.reason);
  return user;
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
  const user = await admit(ctx, req, res, url);
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
      if (route.def.virtual && route.def.verbs.includes('create'))
        return serveReview(ctx, req, res, route.def, route.namespace, user);
      if (route.def.virtual) return serveVirtual(ctx, req, res, route.def, route.namespace, route.name);
      if (route.name === undefined) return serveCollection(ctx, req, res, route.def, route.namespace, url.searchParams);
      return serveItem(ctx, req, res, route.def, route.namespace, route.name, route.sub, url.searchParams);
  }
}
