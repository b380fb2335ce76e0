import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineFunction } from '../../../../shared/runtime/define-function.js';
import { RequestError } from '../../../../shared/runtime/errors.js';
import type { RunningFunction } from '../../../../shared/runtime/run.js';
import { serveTraced, type FakeCollector, type TracedFunction } from '../../../helpers/otlp.js';

/*
 * A function's routes on plain node:http (`rawRoutes`, shared/runtime/raw-routes.ts): what they answer is answered,
 * `next()` is any unknown route's JSON 404 and `next(err)` the error's JSON answer; each request gets a server span,
 * is counted, and meets the local Host guard, as the express routes do.
 */

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

const plain = defineFunction({
  name: 'plain',
  description: 'test: GET /hello on plain node:http',
  on: [],
  emits: [],
  async handle() {
    return [];
  },
  rawRoutes: () => (req, res, next) => {
    if (req.url === '/hello') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
    if (req.url === '/teapot') return next(new RequestError(418, 'teapot', 'short and stout'));
    if (req.url === '/broken') return next(new Error('a secret detail'));
    next();
  }
});

describe('Runtime: raw routes on plain node:http', () => {
  let served: TracedFunction;
  let collector: FakeCollector;
  let fn: RunningFunction;
  let local: RunningFunction;

  beforeAll(async () => {
    served = await serveTraced(plain);
    ({ collector, fn, local } = served);
  });
  afterAll(() => served.stop());

  it('serves a route inside a server span that continues the request trace', async () => {
    // Act
    const res = await fetch(`${fn.url}/hello`, { headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` } });
    await collector.until((spans) => spans.some((s) => s.traceId === TRACE));
    // Assess
    expect([res.status, await res.text()]).toEqual([200, 'hello']);
    const span = collector.spans.find((s) => s.traceId === TRACE)!;
    expect(span).toMatchObject({ service: 'plain', name: 'GET /hello' });
    expect(span.attributes).toMatchObject({ 'http.response.status_code': 200, 'url.path': '/hello' });
  });

  it('answers next() with the JSON 404 of any unknown route, and next(err) as a route error', async () => {
    // Act
    const [missing, teapot, broken] = await Promise.all(['/nope', '/teapot', '/broken'].map((p) => fetch(`${fn.url}${p}`)));
    // Assess
    expect([missing.status, teapot.status, broken.status]).toEqual([404, 418, 500]);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /nope' } });
    expect(await teapot.json()).toEqual({ error: { code: 'teapot', message: 'short and stout' } });
    expect(await broken.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
  });

  it('counts its answers as routes', async () => {
    // Act
    await fetch(`${fn.url}/hello`);
    const metrics = await (await fetch(`${fn.url}/metrics`)).text();
    // Assess
    expect(metrics).toMatch(/cortex_http_responses_total\{[^}]*handler="route"[^}]*class="2xx"[^}]*\} [1-9]/);
  });

  it('refuses a Host that is not loopback when local (DNS rebinding), as the express routes do', async () => {
    // Act
    // (fetch may not set Host)
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get(`${local.url}/hello`, { headers: { host: 'evil.example' } }, (r) => {
          let body = '';
          r.setEncoding('utf8').on('data', (c: string) => (body += c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        })
        .once('error', reject);
    });
    // Assess
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'forbidden_host' } });
  });

  it('refuses a definition with both express routes and raw routes', () => {
    // Act
    const both = () =>
      defineFunction({ ...plain, name: 'both', routes: () => undefined, rawRoutes: () => (_q, _s, next) => next() });
    // Assess
    expect(both).toThrow(/routes \(express\) or rawRoutes, not both/);
  });
});
