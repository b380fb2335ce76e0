import path from 'node:path';
import express, { type Request, type Router } from 'express';

import { RequestError } from '../../shared/runtime/errors.js';
import { packageRoot } from '../../shared/runtime/package-root.js';
import { isSessionId, verifyOperatorToken, verifySessionToken } from '../../shared/session/token.js';
import { startSse } from '../../shared/sse/frame.js';
import type { StreamRequest } from './hub.js';
import type { RelayDeps } from './setup.js';
import { servesStreams } from './role.js';

/*
 * The relay's HTTP face: `GET /events` (a chat session's healing events, or every event for operators) and the web
 * page (`GET /`, `GET /assets/*`), static files with no build step.
 */

/** The page's files, read from the project's root so the sources and the build (dist/) serve the same copy. */
const WEB_DIR = path.join(packageRoot(), 'functions/sse-relay/web');
const DEFAULT_OPERATOR_HISTORY = 100;
const PAGE_HEADERS = {
  'Cache-Control': 'no-cache',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"
};

const one = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/** Reads and authorises a stream request; throws RequestError (400/401/429) with a JSON body. */
export function streamRequest(req: Request, { hub, sessionSecret, operatorToken }: RelayDeps): StreamRequest {
  const q = req.query as Record<string, unknown>;
  const session = one(q.session);
  const lastEventId = req.get('last-event-id');
  const operator = one(q.operator);
  if (operator === '1' || operator === 'true') {
    if (!verifyOperatorToken(operatorToken, one(q.token) ?? bearer(req.get('authorization')))) {
      throw new RequestError(
        401,
        'unauthorized',
        'the operator stream needs the operator token (?token= or Authorization: Bearer)'
      );
    }
    if (session !== undefined && !isSessionId(session))
      throw new RequestError(400, 'bad_request', 'session must be 8-128 letters, digits, "_" or "-"');
    const history = one(q.history);
    if (history !== undefined && !/^\d{1,9}$/.test(history))
      throw new RequestError(400, 'bad_request', 'history must be a non-negative integer');
    return {
      kind: 'operator',
      session,
      lastEventId,
      history: history === undefined ? DEFAULT_OPERATOR_HISTORY : Number(history)
    };
  }
  if (session === undefined)
    throw new RequestError(400, 'bad_request', 'name the session: /events?session=<id>&token=<token> (or ?operator=1)');
  const token = one(q.token) ?? req.get('x-cortex-session-token');
  if (!verifySessionToken(sessionSecret, session, token)) {
    throw new RequestError(401, 'unauthorized', 'missing or wrong session token for this session');
  }
  if (!hub.canOpen(session)) {
    const max = hub.opts.maxPerSession;
    throw new RequestError(429, 'too_many_streams', `this session already has ${max} open streams`, { data: { max } });
  }
  return { kind: 'session', session, lastEventId };
}

/** Mounts `/events` and the web page on the function's router; an ingest-role relay serves neither (role.ts). */
export function relayRoutes(router: Router, deps: RelayDeps): void {
  if (!servesStreams(deps.role)) return;
  router.get('/events', async (req, res) => {
    const stream = streamRequest(req, deps);
    // Read before anything is sent: a log that cannot be read (Redis down) is a 503 the client retries.
    const start = await deps.hub.prepare(stream);
    if (req.socket.destroyed) return;
    startSse(res);
    deps.hub.open(res, stream, start);
  });
  router.get(['/', '/index.html'], (_req, res) => {
    res.set(PAGE_HEADERS).sendFile('index.html', { root: WEB_DIR });
  });
  router.use('/assets', express.static(WEB_DIR, { index: false, setHeaders: (res) => void res.set(PAGE_HEADERS) }));
}
