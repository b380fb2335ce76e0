import { type IncomingMessage, type ServerResponse } from 'node:http';
import { ApiError, badRequest, methodNotAllowed, type StatusObject } from '../api-errors.js';

/*
 * Small HTTP helpers of the API server: JSON answers, Status errors, request bodies.
 */

const MAX_BODY = 3 * 1024 * 1024;

/**
 * The API server pretty-prints for `?pretty=<true in strconv.ParseBool's sense>`, and by default for curl, Wget and
 * browsers (apiserver responsewriters isPrettyPrint).
 */
export function isPrettyPrint(req: IncomingMessage | undefined): boolean {
  if (!req) return false;
  const pretty = new URL(req.url ?? '/', 'http://localhost').searchParams.get('pretty');
  if (pretty) return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(pretty);
  return /^(curl|Wget|Mozilla\/5\.0)/.test(req.headers['user-agent'] ?? '');
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = isPrettyPrint(res.req) ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headers
  });
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A Status answer; a retry delay in its details also goes to the Retry-After header. */
export function sendStatus(res: ServerResponse, status: StatusObject): void {
  const retry = status.details?.retryAfterSeconds;
  sendJson(res, status.code, status, retry ? { 'Retry-After': String(retry) } : {});
}

/** 405 for any other method (the body is drained so the connection stays usable). */
export function requireMethod(req: IncomingMessage, method: string): void {
  if (req.method === method) return;
  req.resume();
  throw methodNotAllowed();
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses a JSON request body; malformed JSON is a 400 BadRequest with the decoder's words. */
export function parseJson(body: Buffer, what = "couldn't get version/kind; json parse error"): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest(`${what}: unexpected end of JSON input`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`${what}: ${(err as Error).message}`);
  }
}

/** The media type without parameters, lower-cased: `application/merge-patch+json`. */
export const mediaType = (header: string | undefined): string => (header ?? '').split(';')[0]!.trim().toLowerCase();

/** Whether the client asked for a server-side Table (`as=Table;g=meta.k8s.io;v=v1|v1beta1`). */
export const wantsTable = (accept: string | undefined): boolean =>
  /as=Table/.test(accept ?? '') && /g=meta\.k8s\.io/.test(accept ?? '');

/** Whether the client asked for metadata only (`as=PartialObjectMetadata[List]`). */
export const wantsPartial = (accept: string | undefined): boolean => /as=PartialObjectMetadata/.test(accept ?? '');
