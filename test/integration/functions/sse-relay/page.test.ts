import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_HEADERS } from '../../../../functions/sse-relay/page.js';
import { startRelay, type Relay } from './harness.js';

/*
 * The relay's web page as a browser and an attacker meet it (functions/sse-relay/page.ts): its headers on every file,
 * HEAD and conditional GETs, and nothing outside the page's directory, no listing, no other method: any unknown route's
 * JSON 404. Raw HTTP where fetch would normalise the path (`..`, `%2e%2e`).
 */

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('error', reject).end();
  });
}

const pageHeaders = Object.fromEntries(Object.entries(PAGE_HEADERS).map(([k, v]) => [k.toLowerCase(), v]));

describe('Function: sse-relay, the web page', () => {
  let relay: Relay;
  let local: Relay;
  beforeAll(async () => {
    relay = await startRelay();
    local = await startRelay({ CORTEX_LOCAL_MODE: 'true' });
  });
  afterAll(async () => {
    await relay.stop();
    await local.stop();
  });

  it.each(['/', '/index.html', '/INDEX.HTML', '/index.html/', '/?from=chat'])(
    'serves the page at %s with its headers and no ETag (revalidated by Last-Modified)',
    async (path) => {
      // Act
      const res = await request(relay.fn.url, 'GET', path);
      // Assess
      expect(res.status).toBe(200);
      expect(res.headers).toMatchObject({ ...pageHeaders, 'content-type': 'text/html; charset=utf-8' });
      expect(res.headers.etag).toBeUndefined();
      expect(res.body).toContain('<script type="module" src="assets/app.js"></script>');
    }
  );

  it.each([
    ['app.js', 'text/javascript; charset=utf-8'],
    ['style.css', 'text/css; charset=utf-8'],
    ['sse.js', 'text/javascript; charset=utf-8']
  ])('serves /assets/%s as %s with the page headers', async (file, type) => {
    // Act
    const res = await request(relay.fn.url, 'GET', `/assets/${file}`);
    // Assess
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ ...pageHeaders, 'content-type': type });
    expect(res.headers.etag).toMatch(/^W\/"/);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    // Act
    const [get, head] = await Promise.all(['GET', 'HEAD'].map((m) => request(relay.fn.url, m, '/assets/app.js')));
    // Assess
    expect(head!.status).toBe(200);
    expect(head!.body).toBe('');
    expect(head!.headers['content-length']).toBe(get!.headers['content-length']);
    expect(head!.headers).toMatchObject({ ...pageHeaders, 'content-type': get!.headers['content-type'] });
  });

  it('answers a conditional GET of an unchanged file with 304 and the page headers', async () => {
    // Prepare
    const first = await request(relay.fn.url, 'GET', '/assets/app.js');
    const page = await request(relay.fn.url, 'GET', '/');
    // Act
    const byTag = await request(relay.fn.url, 'GET', '/assets/app.js', { 'if-none-match': first.headers.etag! });
    const byDate = await request(relay.fn.url, 'GET', '/', { 'if-modified-since': page.headers['last-modified']! });
    const changed = await request(relay.fn.url, 'GET', '/assets/app.js', { 'if-none-match': 'W/"other"' });
    // Assess
    expect([byTag.status, byDate.status, changed.status]).toEqual([304, 304, 200]);
    expect([byTag.body, byDate.body]).toEqual(['', '']);
    expect(byTag.headers).toMatchObject(pageHeaders);
  });

  it('answers a failed precondition and an unsatisfiable range with their status and a JSON error', async () => {
    // Act
    const precondition = await request(relay.fn.url, 'GET', '/assets/app.js', { 'if-match': '"not-this"' });
    const range = await request(relay.fn.url, 'GET', '/assets/app.js', { range: 'bytes=99999999-' });
    const part = await request(relay.fn.url, 'GET', '/assets/app.js', { range: 'bytes=0-5' });
    // Assess
    expect([precondition.status, range.status, part.status]).toEqual([412, 416, 206]);
    expect(JSON.parse(precondition.body)).toMatchObject({ error: { code: 'precondition_failed' } });
    expect(JSON.parse(range.body)).toMatchObject({ error: { code: 'range_not_satisfiable' } });
    expect(range.headers['content-range']).toMatch(/^bytes \*\/\d+$/);
    expect(part.body).toHaveLength(6);
  });

  it.each([
    ['a directory', '/assets/'],
    ['the directory without its slash', '/assets'],
    ['a file that is not there', '/assets/nope.js'],
    ['a dotfile', '/assets/.env'],
    ['a file of the page under another name', '/web/index.html'],
    ['a parent directory', '/assets/../routes.ts'],
    ['an encoded parent directory', '/assets/%2e%2e/routes.ts'],
    ['an encoded slash', '/assets/..%2froutes.ts'],
    ['an encoded backslash', '/assets/..%5croutes.ts'],
    ['an absolute path', '/assets//etc/passwd'],
    ['a NUL byte', '/assets/app.js%00.css'],
    ['a malformed escape', '/assets/%E0%A4%A']
  ])('answers %s (%s) with the JSON 404 of any unknown route', async (_what, path) => {
    // Act
    const res = await request(relay.fn.url, 'GET', path);
    // Assess
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'not_found', message: `no route for GET ${path}` } });
  });

  it.each([
    ['POST', '/index.html'],
    ['PUT', '/'],
    ['DELETE', '/assets/app.js']
  ])('answers %s %s with the JSON 404 of any unknown route', async (method, path) => {
    // Act
    const res = await request(relay.fn.url, method, path);
    // Assess
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'not_found' } });
  });

  it('refuses the page under a Host that is not loopback when local (DNS rebinding)', async () => {
    // Act
    const [page, asset, loopback] = await Promise.all([
      request(local.fn.url, 'GET', '/', { host: 'evil.example' }),
      request(local.fn.url, 'GET', '/assets/app.js', { host: 'evil.example' }),
      request(local.fn.url, 'GET', '/assets/app.js', { host: 'localhost' })
    ]);
    // Assess
    expect([page.status, asset.status, loopback.status]).toEqual([403, 403, 200]);
    expect(JSON.parse(page.body)).toMatchObject({ error: { code: 'forbidden_host' } });
  });
});
