import http, { type IncomingMessage, type ServerResponse } from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

/**
 * Forwards one request to `target` (an origin, e.g. http://127.0.0.1:41234) and streams the answer back unbuffered,
 * so SSE works through it. A dead backend is a 502 with a JSON error, never a hang; one that dies mid-answer cuts it.
 * `behindProxy`: this hop sits behind another proxy of the stack (a replica balancer behind the front door), so the
 * X-Forwarded-Host that proxy set is what the browser addressed and is kept.
 *
 * @example
 * forward(req, res, 'http://127.0.0.1:41234');
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
  path = req.url ?? '/',
  { behindProxy = false }: { behindProxy?: boolean } = {}
): void {
  const url = new URL(path, target);
  // The backend sees its own host; what the browser addressed travels as X-Forwarded-Host (its same-origin checks).
  const addressed = (behindProxy && req.headers['x-forwarded-host']) || req.headers.host;
  const headers: http.OutgoingHttpHeaders = {
    ...req.headers,
    host: url.host,
    'x-forwarded-host': addressed,
    'x-forwarded-proto': 'http'
  };
  for (const h of HOP_BY_HOP) delete headers[h];
  const upstream = http.request(url, { method: req.method, headers, agent }, (up) => {
    const out = { ...up.headers };
    for (const h of HOP_BY_HOP) delete out[h];
    res.writeHead(up.statusCode ?? 502, out);
    res.flushHeaders();
    up.pipe(res);
    // A backend that dies mid-answer (a killed replica) ends the answer too, or a stream would hang open forever.
    up.once('close', () => void (up.complete || res.destroy()));
    res.once('close', () => up.destroy());
  });
  upstream.on('error', (err) => {
    if (res.headersSent) {
      res.destroy(err);
      return;
    }
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'bad_gateway', message: `${target} is not answering: ${err.message}` } }));
  });
  res.once('close', () => upstream.destroy());
  req.pipe(upstream);
}
