import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFrontDoor, type FrontDoor } from '../../../../local/stack/front-door.js';
import { demoApiRoutes, type DemoApiDeps } from '../../../../local/stack/demo-api.js';
import { createLogger } from '../../../../shared/runtime/logging.js';

/*
 * The local front door against DNS rebinding and cross-site writes: it answers loopback Host names only, and its fault
 * API takes JSON from the page's own origin only. Nothing behind a refused request runs (the fault API's ports throw).
 */

/** A raw request, so the test can send any Host header (fetch sets it from the URL). */
function send(
  url: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${opts.path}`, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('Local front door: loopback hosts only, no cross-site fault injection', () => {
  let door: FrontDoor;
  const touched: string[] = [];
  beforeAll(async () => {
    const untouchable = new Proxy(
      {},
      { get: (_t, p) => () => (touched.push(String(p)), Promise.reject(new Error('touched'))) }
    );
    const deps = {
      sim: untouchable,
      kube: untouchable,
      backend: untouchable,
      publish: () => Promise.reject(new Error('published')),
      demo: { namespace: 'demo', deployment: 'mcp-demo', service: 'mcp-demo' },
      info: { localMode: true },
      log: createLogger({ name: 'test', level: 'silent' })
    } as unknown as DemoApiDeps;
    door = await startFrontDoor({ port: 0, host: '127.0.0.1', routes: demoApiRoutes(deps) });
  });
  afterAll(async () => {
    await door.stop();
  });

  it.each([
    ['evil.example:8080', 403],
    ['127.0.0.1.nip.io', 403],
    ['localhost', 200],
    ['127.0.0.1:8080', 200],
    ['[::1]:8080', 200]
  ])('Host %s → %i', async (host, status) => {
    // Act
    const res = await send(door.url, { path: '/local/info', headers: { host } });
    // Assess
    expect(res.status).toBe(status);
    if (status === 403) expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'forbidden_host' } });
  });

  it('answers /local/info without any credential', async () => {
    // Act
    const res = await send(door.url, { path: '/local/info', headers: { host: 'localhost' } });
    // Assess
    expect(res.body).not.toMatch(/token/i);
  });

  it.each([
    ['a cross-site text/plain POST', { 'content-type': 'text/plain', origin: 'https://evil.example' }, 415],
    ['JSON from a foreign origin', { 'content-type': 'application/json', origin: 'https://evil.example' }, 403],
    ['JSON marked cross-site by the browser', { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, 403]
  ])('refuses %s to /local/faults (%i) and injects nothing', async (_what, headers, status) => {
    // Act
    const res = await send(door.url, {
      method: 'POST',
      path: '/local/faults',
      headers: { host: new URL(door.url).host, ...headers },
      body: '{"fault":"scale-zero"}'
    });
    // Assess
    expect(res.status).toBe(status);
    expect(touched).toEqual([]);
  });
});
