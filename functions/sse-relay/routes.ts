import type { IncomingMessage } from 'node:http';

import { RequestError } from '../../shared/runtime/errors.js';
import type { RawRoutes } from '../../shared/runtime/raw-routes.js';
import type { StreamRoute } from '../../shared/runtime/streams.js';
import { isSessionId, verifyOperatorToken, verifySessionToken } from '../../shared/session/token.js';
import { startSse } from '../../shared/sse/frame.js';
import type { StreamRequest } from './hub.js';
import { pageRoutes } from './page.js';
import type { RelayDeps } from './setup.js';
import { servesStreams } from './role.js';

/*
 * The relay's HTTP face: `GET /events` (a chat session's healing events, or every event for operators) and the web
 * page (`GET /`, `GET /assets/*`, page.ts), both on plain node:http: the relay loads no express.
 */

const DEFAULT_OPERATOR_HISTORY = 100;

/** A query parameter given once and not empty (a repeated one counts as absent, as with express's parser). */
function one(query: URLSearchParams, name: string): string | undefined {
  const all = query.getAll(name);
  return all.length === 1 && all[0] !== '' ? all[0] : undefined;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

function bearer(value: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value ?? '');
  return m?.[1];
}

/** Reads and authorises a stream request; throws RequestError (400/401/429) with a JSON body. */
export function streamRequest(
  req: IncomingMessage,
  query: URLSearchParams,
  { hub, sessionSecret, operatorToken }: RelayDeps
): StreamRequest {
  const session = one(query, 'session');
  const lastEventId = header(req, 'last-event-id');
  const operator = one(query, 'operator');
  if (operator === '1' || operator === 'true') {
    if (!verifyOperatorToken(operatorToken, one(query, 'token') ?? bearer(header(req, 'authorization')))) {
      throw new RequestError(
        401,
        'unauthorized',
        'the operator stream needs the operator token (?token= or Authorization: Bearer)'
      );
    }
    if (session !== undefined && !isSessionId(session))
      throw new RequestError(400, 'bad_request', 'session must be 8-128 letters, digits, "_" or "-"');
    const history = one(query, 'history');
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
  const token = one(query, 'token') ?? header(req, 'x-cortex-session-token');
  if (!verifySessionToken(sessionSecret, session, token)) {
    throw new RequestError(401, 'unauthorized', 'missing or wrong session token for this session');
  }
  if (!hub.canOpen(session)) {
    const max = hub.opts.maxPerSession;
    throw new RequestError(429, 'too_many_streams', `this session already has ${max} open streams`, { data: { max } });
  }
  return { kind: 'session', session, lastEventId };
}

/**
 * `GET /events`, served ahead of express (shared/runtime/streams.ts): an open stream holds its socket and its place in
 * the hub, nothing of the request. An ingest-role relay serves no stream (role.ts).
 */
export function relayStreams(deps: RelayDeps): Record<string, StreamRoute> {
  if (!servesStreams(deps.role)) return {};
  return {
    '/events': async (req, res, query) => {
      const stream = streamRequest(req, query, deps);
      // Read before anything is sent: a log that cannot be read (Redis down) is a 503 the client retries.
      const start = await deps.hub.prepare(stream);
      if (req.socket.destroyed) return;
      startSse(res);
      deps.hub.open(res, stream, start);
    }
  };
}

/** The web page's routes (page.ts); an ingest-role relay serves none (role.ts). */
export function relayPage(deps: RelayDeps): RawRoutes | undefined {
  return servesStreams(deps.role) ? pageRoutes : undefined;
}
