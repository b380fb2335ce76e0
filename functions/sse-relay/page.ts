import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestError } from '../../shared/runtime/errors.js';
import { packageRoot } from '../../shared/runtime/package-root.js';
import type { RawRoutes } from '../../shared/runtime/raw-routes.js';
import { pathOf, routeKey } from '../../shared/runtime/server.js';

/*
 * The web page (`GET /`, `GET /index.html`, `GET /assets/*`): static files with no build step, served by `send`, the
 * library under express's `sendFile` and `express.static` (conditional GETs, HEAD, ranges, ETag and Last-Modified, no
 * path outside the directory), on plain node:http so the relay loads no express. `send` (with its MIME table) is
 * loaded at the first page request, not at start-up: a relay that only streams never pays for it.
 */

/** The page's files, read from the project's root so the sources and the build (dist/) serve the same copy. */
export const WEB_DIR = path.join(packageRoot(), 'functions/sse-relay/web');

/** On every file of the page (and so on a 304 too). */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-cache',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"
};

const INDEX = '/index.html';
const ASSETS = '/assets/';

/**
 * The file a page path names, relative to the page's directory and still URL-encoded (`send` decodes it and refuses
 * `..`), or undefined. Matched as express routed them: the paths case-insensitively, a trailing slash allowed on the
 * page; an asset's name as given.
 */
export function pageFile(urlPath: string): string | undefined {
  const key = routeKey(urlPath);
  if (key === '/' || key === '/index.html') return INDEX;
  return urlPath.slice(0, ASSETS.length).toLowerCase() === ASSETS ? urlPath.slice(ASSETS.length - 1) : undefined;
}

function setHeaders(res: ServerResponse, headers: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}

/** What `send` reports a failure with (an http-errors error). */
interface SendError {
  readonly status: number;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** `send`'s error as the answer express's static files gave before a file was found: none (any unknown route's 404). */
function answerOf(err: SendError, res: ServerResponse, found: boolean): unknown {
  if (err.status >= 500) return err;
  if (!found) return undefined;
  // After the file was found: a failed precondition (412) or a range past its end (416, with its Content-Range).
  setHeaders(res, err.headers ?? {});
  return new RequestError(err.status, err.message.toLowerCase().replace(/\W+/g, '_'), err.message);
}

const loadSend = () => import('send');
let loading: ReturnType<typeof loadSend> | undefined;

function serve(req: IncomingMessage, res: ServerResponse, file: string, next: (err?: unknown) => void): void {
  void (loading ??= loadSend()).then(({ default: send }) => {
    let found = false;
    // The page itself has no ETag (it is revalidated by Last-Modified), as under express with its ETags off.
    send(req, file, { root: WEB_DIR, index: false, etag: file !== INDEX })
      .on('headers', () => setHeaders(res, PAGE_HEADERS))
      .on('file', () => void (found = true))
      // A directory (`/assets/`) is no page: no listing, no redirect.
      .on('directory', () => next())
      .on('error', (err: SendError) => next(answerOf(err, res, found)))
      .pipe(res);
  }, next);
}

/**
 * The page's routes: GET and HEAD of its files, with {@link PAGE_HEADERS}; anything else goes on (`next`).
 *
 * @example
 * rawRoutes: () => pageRoutes
 */
export const pageRoutes: RawRoutes = (req, res, next) => {
  const file = req.method === 'GET' || req.method === 'HEAD' ? pageFile(pathOf(req)) : undefined;
  if (file === undefined) return next();
  serve(req, res, file, next);
};
