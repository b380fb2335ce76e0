import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudEventRecord, Headers } from '../../shared/events/http.js';
import type { CortexError } from '../../shared/runtime/errors.js';
import { DISCOVERY_PATH, JWKS_PATH, type LocalIssuer } from './issuer.js';
import { PayloadTooLargeError, RequestError, toErrorBody, toHttpStatus } from '../../shared/runtime/errors.js';
import type { Logger } from '../../shared/runtime/logging.js';
import type { IngestResult } from './broker.js';
import type { BrokerObserver } from './observer.js';
import { isStructured, readEvent } from './read-event.js';

/*
 * The broker ingress (knative/eventing pkg/broker/ingress/ingress_handler.go): `POST /<namespace>/<broker>` with a
 * binary or structured CloudEvent → 202 once the event is in the dispatch queue. OPTIONS → 200 with
 * `Allow: POST, OPTIONS`; other methods → 405. `GET /healthz` → 200. Errors are JSON bodies naming the problem:
 * 400 invalid event or TTL exhausted, 404 unknown broker or path, 413 body over the limit, 415 batch, 503 stopping
 * or overloaded. Knative answers 400 for a path that is not /<ns>/<name>; we answer 404 with the expected shape.
 */

const ALLOW = 'POST, OPTIONS';
/** A body over the limit is read (and discarded) up to this size so the client sees the 413; past it, we hang up. */
const DRAIN_CAP_BYTES = 16 * 1024 * 1024;

export interface IngressDeps {
  bodyLimitBytes: number;
  log: Logger;
  observer: BrokerObserver;
  hasBroker(key: string): boolean;
  brokers(): string[];
  /** `arrivedData`: the body of a binary-mode event, forwarded as it is. */
  ingest(broker: string, event: CloudEventRecord, arrivedData?: Buffer): IngestResult;
  /** With OIDC: 401/403 for an event the checks refuse; undefined to go on. Absent without OIDC (everyone goes on). */
  authenticate?(headers: Headers, event: CloudEventRecord, broker: string): Promise<CortexError | undefined>;
  /** With OIDC, the broker also serves the issuer's discovery document and JWKS. */
  oidc?: LocalIssuer;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown, headers: Record<string, string> = {}): void {
  sendJson(res, toHttpStatus(err), toErrorBody(err), headers);
}

/** Reads the body up to `limit` bytes; past it, drains what the client sends and rejects with 413. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = (): PayloadTooLargeError =>
      new PayloadTooLargeError(`request body exceeds the broker's limit of ${limit} bytes`, { data: { limitBytes: limit } });
    const declared = Number(req.headers['content-length']);
    if (declared > DRAIN_CAP_BYTES) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > DRAIN_CAP_BYTES) req.destroy();
    });
    req.on('end', () => (size > limit ? reject(tooLarge()) : resolve(Buffer.concat(chunks, size))));
    req.on('error', reject);
  });
}

function brokerKeyOf(url: string): string | undefined {
  const path = url.split('?', 1)[0]!.replace(/\/+$/, '');
  const parts = path.split('/');
  return parts.length === 3 && parts[1] && parts[2]
    ? `${decodeURIComponent(parts[1])}/${decodeURIComponent(parts[2])}`
    : undefined;
}

/** The ingress as a node:http request listener. */
export function createIngressHandler(deps: IngressDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const reject = (res: ServerResponse, broker: string, err: unknown, headers?: Record<string, string>): void => {
    deps.observer.record({ kind: 'rejected', broker, status: toHttpStatus(err), reason: (err as Error).message });
    sendError(res, err, headers);
  };

  async function post(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const broker = brokerKeyOf(req.url ?? '/');
    if (broker === undefined || !deps.hasBroker(broker)) {
      const message = broker
        ? `no broker ${broker}; brokers served: ${deps.brokers().join(', ')}`
        : `no broker at ${req.url}: ingress URLs have the shape /<namespace>/<broker>`;
      req.resume();
      return reject(res, broker ?? '-', new RequestError(404, 'not_found', message));
    }
    let body: Buffer;
    try {
      body = await readBody(req, deps.bodyLimitBytes);
    } catch (err) {
      return reject(res, broker, err, { connection: 'close' });
    }
    let event: CloudEventRecord;
    try {
      event = readEvent(req.headers, body.toString('utf8'));
    } catch (err) {
      return reject(res, broker, err);
    }
    // As Eventing's ingress: the event is parsed first (400), then its sender checked (401/403).
    const refused = deps.authenticate && (await deps.authenticate(req.headers, event, broker));
    if (refused) return reject(res, broker, refused);
    const binary = body.length > 0 && !isStructured(req.headers);
    const result = deps.ingest(broker, event, binary ? body : undefined);
    if (!result.accepted) {
      if (!result.recorded)
        deps.observer.record({ kind: 'rejected', broker, id: event.id, type: event.type, reason: result.error.message });
      return sendError(res, result.error);
    }
    res.writeHead(202, { 'content-length': '0' });
    res.end();
  }

  return (req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(200, {
        allow: ALLOW,
        'webhook-allowed-origin': '*',
        'webhook-allowed-rate': '*',
        'content-length': '0'
      });
      res.end();
      return;
    }
    const path = req.url?.split('?', 1)[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (deps.oidc && req.method === 'GET' && (path === DISCOVERY_PATH || path === JWKS_PATH)) {
      sendJson(res, 200, path === DISCOVERY_PATH ? deps.oidc.discovery() : deps.oidc.jwks());
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      sendError(res, new RequestError(405, 'method_not_allowed', `${req.method} is not allowed: send events with POST`), {
        allow: ALLOW
      });
      return;
    }
    post(req, res).catch((err: unknown) => {
      deps.log.error({ err }, 'broker ingress failed');
      if (!res.headersSent) sendError(res, err);
      else res.destroy();
    });
  };
}
