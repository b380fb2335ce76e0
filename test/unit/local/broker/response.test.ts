import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../../../shared/runtime/http-client.js';
import { classifyResponse } from '../../../../local/broker/response.js';

const res = (status: number, headers: Record<string, string> = {}, body = ''): HttpResponse => ({
  status,
  headers,
  body: Buffer.from(body),
  truncated: false
});

describe('Subscriber responses (local/broker/response)', () => {
  it('2xx with an empty body: delivered, no reply', () => {
    // Prepare
    const accepted = res(202);
    // Act
    const outcome = classifyResponse(accepted, 0);
    // Assess
    expect(outcome).toEqual({ ok: true, reply: undefined });
  });

  it('2xx with a binary-mode CloudEvent: delivered with a reply, no time invented', () => {
    // Prepare
    const headers = {
      'ce-specversion': '1.0',
      'ce-id': 'r1',
      'ce-source': '/f',
      'ce-type': 'x',
      'content-type': 'application/json'
    };
    // Act
    const outcome = classifyResponse(res(200, headers, '{"n":1}'), 0);
    // Assess
    expect(outcome).toEqual({
      ok: true,
      reply: { specversion: '1.0', id: 'r1', source: '/f', type: 'x', datacontenttype: 'application/json', data: { n: 1 } }
    });
  });

  it('2xx with a structured-mode CloudEvent: delivered with a reply', () => {
    // Prepare
    const body = JSON.stringify({ specversion: '1.0', id: 'r2', source: '/f', type: 'y' });
    // Act
    const outcome = classifyResponse(res(200, { 'content-type': 'application/cloudevents+json' }, body), 0);
    // Assess
    expect(outcome.ok && outcome.reply?.id).toBe('r2');
  });

  it('2xx with a body that is not a CloudEvent: a retryable failure reported as 502', () => {
    // Prepare
    const plain = res(200, { 'content-type': 'text/plain' }, 'ok thanks');
    // Act
    const outcome = classifyResponse(plain, 0);
    // Assess
    expect(outcome).toMatchObject({ ok: false, status: 502, retryable: true });
    expect(!outcome.ok && outcome.body.toString()).toBe('ok thanks');
  });

  it('2xx with an invalid CloudEvent or a batch: a 502 failure naming the problem', () => {
    // Prepare
    const noType = res(200, { 'ce-specversion': '1.0', 'ce-id': 'r', 'ce-source': '/f' }, '');
    const batchReply = res(200, { 'content-type': 'application/cloudevents-batch+json' }, '[]');
    // Act
    const invalid = classifyResponse(noType, 0);
    const batch = classifyResponse(batchReply, 0);
    // Assess
    expect(invalid).toMatchObject({ ok: false, status: 502, reason: expect.stringMatching(/type/) });
    expect(batch).toMatchObject({ ok: false, status: 502, reason: expect.stringMatching(/batch/) });
  });

  it('non-2xx: a failure with the status, retryable per the table, with Retry-After', () => {
    // Prepare
    const tooMany = res(429, { 'retry-after': '2' }, 'slow down');
    const badRequest = res(400, {}, '{"error":"bad"}');
    // Act
    const busy = classifyResponse(tooMany, 0);
    const bad = classifyResponse(badRequest, 0);
    // Assess
    expect(busy).toMatchObject({ ok: false, status: 429, retryable: true, retryAfterMs: 2000 });
    expect(bad).toMatchObject({ ok: false, status: 400, retryable: false, retryAfterMs: undefined });
  });
});
