import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineFunction } from '../../../../shared/runtime/define-function.js';
import { RequestError } from '../../../../shared/runtime/errors.js';
import type { RunningFunction } from '../../../../shared/runtime/run.js';
import { serveTraced, type FakeCollector, type TracedFunction } from '../../../helpers/otlp.js';

/*
 * Long-lived streams served ahead of the express app (shared/runtime/streams.ts): a stream's span covers establishing
 * it, not its life; refusals answer the routes' JSON error bodies; everything else still reaches express; the local
 * Host guard and the response counter apply to streams too.
 */

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

const streamer = defineFunction({
  name: 'streamer',
  description: 'test: GET /feed opens a stream that stays open',
  on: [],
  emits: [],
  async handle() {
    return [];
  },
  routes(router) {
    router.get('/page', (_req, res) => void res.type('text/plain').send('page'));
  },
  streams: () => ({
    '/feed': async (_req, res, query) => {
      if (query.get('token') !== 'ok') throw new RequestError(401, 'unauthorized', 'no token');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
    }
  })
});

/** Opens `path` and resolves with the status, the headers and the first chunk, leaving the response open. */
function open(url: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; first: string; req: http.ClientRequest }>((resolve, reject) => {
    const req = http.get(`${url}${path}`, { headers }, (res) => {
      res.setEncoding('utf8');
      res.once('data', (chunk: string) => resolve({ status: res.statusCode ?? 0, first: chunk, req }));
    });
    req.on('error', reject);
  });
}

describe('Runtime: streams served ahead of express', () => {
  let served: TracedFunction;
  let collector: FakeCollector;
  let fn: RunningFunction;
  let local: RunningFunction;

  beforeAll(async () => {
    served = await serveTraced(streamer);
    ({ collector, fn, local } = served);
  });
  afterAll(() => served.stop());

  it('ends the span of a stream once it is established, while the stream stays open', async () => {
    // Act
    const stream = await open(fn.url, '/feed?token=ok', { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` });
    await collector.until((spans) => spans.some((s) => s.traceId === TRACE));
    // Assess
    expect(stream).toMatchObject({ status: 200, first: ': open\n\n' });
    expect(stream.req.destroyed).toBe(false);
    const span = collector.spans.find((s) => s.traceId === TRACE)!;
    expect(span).toMatchObject({ service: 'streamer', name: 'GET /feed' });
    expect(span.attributes).toMatchObject({ 'http.response.status_code': 200, 'url.path': '/feed' });
    stream.req.destroy();
  });

  it('answers a refused stream with the JSON error body, and counts it', async () => {
    // Act
    const res = await fetch(`${fn.url}/feed`);
    const metrics = await (await fetch(`${fn.url}/metrics`)).text();
    // Assess
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized', message: 'no token' } });
    expect(metrics).toMatch(/cortex_http_responses_total\{[^}]*handler="route"[^}]*class="4xx"[^}]*\} 1/);
  });

  it('leaves other methods and paths to the express app', async () => {
    // Act
    const post = await fetch(`${fn.url}/feed`, { method: 'POST' });
    const page = await fetch(`${fn.url}/page`);
    // Assess
    expect(post.status).toBe(404);
    expect(await post.json()).toMatchObject({ error: { code: 'not_found' } });
    expect(await page.text()).toBe('page');
  });

  it('refuses a stream under a Host that is not loopback when local (DNS rebinding), as the routes do', async () => {
    // Act
    const stream = await open(local.url, '/feed?token=ok', { host: 'evil.example' });
    // Assess
    expect(stream.status).toBe(403);
    expect(JSON.parse(stream.first)).toMatchObject({ error: { code: 'forbidden_host' } });
  });
});
