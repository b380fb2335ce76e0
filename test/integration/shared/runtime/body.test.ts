import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import errorIntake from '../../../../functions/error-intake/index.js';
import { run, type RunningFunction } from '../../../../shared/runtime/run.js';
import { startFakeSink, type FakeSink } from '../../../fakes/sink.js';
import { errorReported } from '../../../helpers/events.js';

/* The runtime's own HTTP core (shared/runtime/server.ts, body.ts): how a delivery's body is read, and how paths match. */

const structured = { 'content-type': 'application/cloudevents+json' };

describe('Runtime HTTP core: reading a delivery (error-intake over real HTTP)', () => {
  let sink: FakeSink;
  let fn: RunningFunction;

  beforeAll(async () => {
    sink = await startFakeSink();
    fn = await run(errorIntake, {
      overrides: {
        PORT: '0',
        HOST: '127.0.0.1',
        K_SINK: sink.url,
        CORTEX_LOG_LEVEL: 'silent',
        CORTEX_BODY_LIMIT_BYTES: '4096'
      }
    });
  });
  afterAll(async () => {
    await fn.stop();
    await sink.close();
  });

  const body = (id: string, message = 'boom'): string => JSON.stringify({ ...errorReported({ message }, id).toJSON() });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync]
  ])('inflates a %s body and handles the event', async (encoding, compress) => {
    // Prepare
    const before = sink.events.length;
    // Act
    const res = await fetch(fn.url, {
      method: 'POST',
      headers: { ...structured, 'content-encoding': encoding },
      body: compress(body(`enc-${encoding}`))
    });
    // Assess
    expect(res.status).toBe(202);
    expect(sink.events.slice(before).map((e) => e.causationid)).toEqual([`enc-${encoding}`]);
  });

  it('answers an unknown content encoding with 415 and reads nothing', async () => {
    // Act
    const res = await fetch(fn.url, { method: 'POST', headers: { ...structured, 'content-encoding': 'lzma' }, body: '{}' });
    // Assess
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      error: { code: 'unsupported_media_type', message: 'unsupported content encoding "lzma"' }
    });
  });

  it('decodes the charset Content-Type names (UTF-16LE, which read as UTF-8 is not JSON)', async () => {
    // Prepare
    const before = sink.events.length;
    const utf16 = Buffer.from(body('cs-1', 'café'), 'utf16le');
    // Act
    const res = await fetch(fn.url, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json; charset=UTF-16LE' },
      body: utf16
    });
    // Assess
    expect(res.status).toBe(202);
    expect(sink.events.slice(before)).toMatchObject([{ causationid: 'cs-1' }]);
  });

  it('answers a charset it cannot decode with 415', async () => {
    // Act
    const res = await fetch(fn.url, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json; charset=klingon' },
      body: body('cs-2')
    });
    // Assess
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('unsupported charset "KLINGON"');
  });

  it('applies the body limit to the inflated bytes (a small gzip of a large body is 413)', async () => {
    // Prepare
    const big = JSON.stringify({ ...errorReported({}, 'big-1').toJSON(), pad: 'x'.repeat(64 * 1024) });
    const zipped = gzipSync(big);
    // Act
    const res = await fetch(fn.url, {
      method: 'POST',
      headers: { ...structured, 'content-encoding': 'gzip' },
      body: zipped
    });
    // Assess
    expect(zipped.length).toBeLessThan(4096);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'request body exceeds the limit of 4096 bytes'
    );
  });

  it('answers a chunked body over the limit with 413 once it has read it', async () => {
    // Act: no Content-Length, so the limit is found while reading
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(fn.url, { method: 'POST', headers: structured }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject);
      for (let i = 0; i < 8; i++) req.write('x'.repeat(1024));
      req.end();
    });
    // Assess
    expect(status).toBe(413);
  });

  it('takes the function-named alias and a trailing slash, and answers other paths and methods 404 in JSON', async () => {
    // Prepare
    const before = sink.events.length;
    // Act
    const alias = await fetch(`${fn.url}/error-intake/`, { method: 'POST', headers: structured, body: body('alias-1') });
    const get = await fetch(`${fn.url}/?x=1`);
    const other = await fetch(`${fn.url}/nope`, { method: 'POST', headers: structured, body: body('alias-2') });
    // Assess
    expect(alias.status).toBe(202);
    expect(sink.events.length - before).toBe(1);
    expect([get.status, other.status]).toEqual([404, 404]);
    expect(await get.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /' } });
  });

  it('answers the probes to HEAD as to GET, with no body', async () => {
    // Act
    const head = await fetch(`${fn.url}/health/readiness`, { method: 'HEAD' });
    // Assess
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await head.text()).toBe('');
  });
});
