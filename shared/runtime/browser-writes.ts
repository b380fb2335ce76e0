import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { RequestError, UnsupportedMediaTypeError } from './errors.js';

/*
 * Writes a browser can make (the chat's POST /chat, the local fault buttons; approvals later) must not be made by
 * another site. A page elsewhere can POST `text/plain` with `mode: 'no-cors'` and no preflight; it cannot send
 * `application/json` without a preflight (which nothing here answers), and its browser names it in `Origin`. So these
 * writes take `application/json` only (415 otherwise) and refuse an `Origin` that is not their own (403). A request
 * with no `Origin` (curl, a server) is not a browser's cross-site request; `Sec-Fetch-Site` still refuses one that
 * a browser marked cross-site. Behind a proxy the request's own host is `X-Forwarded-Host` (the local front door sets
 * it); a browser cannot set that header cross-site without a preflight either.
 */

const JSON_TYPE = /^application\/json\s*(;|$)/i;

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The host the browser addressed: the proxy's `X-Forwarded-Host`, else `Host`. */
function ownHost(headers: IncomingHttpHeaders): string | undefined {
  return (one(headers['x-forwarded-host'])?.split(',')[0]?.trim() || headers.host)?.toLowerCase();
}

/**
 * What is wrong with a browser-facing write, or undefined. `allowedOrigins` are other origins (scheme://host[:port])
 * whose pages may write, e.g. the page served from another host.
 *
 * @example
 * browserWriteProblem({ host: '127.0.0.1:8080', origin: 'https://evil.example', 'content-type': 'text/plain' }, []);
 * // → UnsupportedMediaTypeError (415): the content type is checked first
 */
export function browserWriteProblem(
  headers: IncomingHttpHeaders,
  allowedOrigins: readonly string[] = [],
  { body = true }: { body?: boolean } = {}
): RequestError | UnsupportedMediaTypeError | undefined {
  const type = headers['content-type'] ?? '';
  if (body && !JSON_TYPE.test(type))
    return new UnsupportedMediaTypeError(
      `send the body as application/json (got ${type ? `"${type}"` : 'no content type'}): other types are refused so no other site can post here`
    );
  const origin = one(headers.origin);
  if (origin === undefined) {
    const site = one(headers['sec-fetch-site']);
    return site === undefined || site === 'same-origin' || site === 'none'
      ? undefined
      : new RequestError(403, 'forbidden_origin', `a ${site} request may not write here`);
  }
  if (allowedOrigins.includes(origin)) return undefined;
  const host = URL.canParse(origin) ? new URL(origin).host.toLowerCase() : undefined;
  if (host !== undefined && host === ownHost(headers)) return undefined;
  return new RequestError(403, 'forbidden_origin', `requests from origin ${origin} may not write here`);
}

/**
 * The express form of browserWriteProblem, for a write route; `body: false` for a POST that carries none (only the
 * origin is checked then).
 *
 * @example
 * router.post('/chat', sameOriginJson(config.security.allowedOrigins), json, handler);
 */
export function sameOriginJson(allowedOrigins: readonly string[] = [], opts: { body?: boolean } = {}): RequestHandler {
  return (req, _res, next) => next(browserWriteProblem(req.headers, allowedOrigins, opts));
}

/**
 * True for a `Host` header that names this machine: `localhost` and its subdomains, 127.0.0.0/8, ::1 (any port). A
 * DNS-rebinding page reaches a loopback server under its own name, which this refuses.
 *
 * @example
 * isLoopbackHost('127.0.0.1:8080'); // → true
 * isLoopbackHost('evil.example:8080'); // → false
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  const name = (bracketed ? bracketed[1]! : host.replace(/:\d+$/, '')).toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || /^::ffff:127\./.test(name) || name === '0:0:0:0:0:0:0:1';
  return false;
}

/** The 403 for a `Host` that is not a loopback name (the local stack's guard against DNS rebinding), or undefined. */
export function hostProblem(host: string | undefined): RequestError | undefined {
  return isLoopbackHost(host)
    ? undefined
    : new RequestError(403, 'forbidden_host', `this local server answers loopback hosts only, not "${host ?? ''}"`);
}
