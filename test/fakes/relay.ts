import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySessionToken } from '../../shared/session/token.js';

/*
 * A stand-in for the sse-relay's session stream, per the contract: `GET /events?session&token` → 401 JSON for a
 * wrong token, else `retry:`, `connected {session, lastEventId}`, the session's buffered events (history, or those after
 * `Last-Event-ID`), then live ones. Tests push healing events for a session; every frame carries a stream entry id (`<ms>-<seq>`), as the relay's.
 */

export interface FakeRelay {
  url: string;
  /** Buffers an event for a session and sends it to the session's open streams; returns its id. */
  push(sessionId: string, event: string, data: Record<string, unknown>): string;
  /** Ends every open stream, as a relay replica that goes away does. */
  cut(): void;
  /** The Last-Event-ID of every stream request, in order ('' without one). */
  readonly resumes: string[];
  /** Open session streams (all sessions, or one). */
  connections(sessionId?: string): number;
  /** Resolves once a session has `n` open streams. */
  waitForConnections(sessionId: string, n?: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface Buffered {
  id: string;
  sessionId: string;
  event: string;
  data: Record<string, unknown>;
}

export async function startFakeRelay(opts: { secret: string }): Promise<FakeRelay> {
  const buffer: Buffered[] = [];
  const open = new Map<ServerResponse, string>();
  let seq = 0;
  const idOf = (n: number): string => `1764950400000-${n}`;
  const seqOf = (id: string | undefined): number => (id ? Number(id.split('-')[1]) : 0);
  const resumes: string[] = [];
  const frame = (b: Buffered): string => `id: ${b.id}\nevent: ${b.event}\ndata: ${JSON.stringify(b.data)}\n\n`;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://relay');
    const session = url.searchParams.get('session') ?? '';
    if (req.method !== 'GET' || url.pathname !== '/events') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not_found' } }));
      return;
    }
    if (!verifySessionToken(opts.secret, session, url.searchParams.get('token') ?? undefined)) {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'invalid_session_token' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(
      `retry: 2000\n\nid: ${idOf(seq)}\nevent: connected\ndata: ${JSON.stringify({ session, lastEventId: idOf(seq) })}\n\n`
    );
    const lastEventId = req.headers['last-event-id'];
    resumes.push(typeof lastEventId === 'string' ? lastEventId : '');
    const from = seqOf(typeof lastEventId === 'string' ? lastEventId : undefined);
    for (const b of buffer) if (b.sessionId === session && seqOf(b.id) > from) res.write(frame(b));
    open.set(res, session);
    res.on('close', () => open.delete(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const count = (sessionId?: string): number =>
    [...open.values()].filter((s) => sessionId === undefined || s === sessionId).length;
  return {
    url,
    push(sessionId, event, data) {
      const b = { id: idOf(++seq), sessionId, event, data };
      buffer.push(b);
      for (const [res, s] of open) if (s === sessionId) res.write(frame(b));
      return b.id;
    },
    cut() {
      for (const res of [...open.keys()]) res.destroy();
    },
    resumes,
    connections: count,
    async waitForConnections(sessionId, n = 1, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (count(sessionId) < n) {
        if (Date.now() > end) throw new Error(`relay saw ${count(sessionId)} streams for ${sessionId}, expected ${n}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      })
  };
}
