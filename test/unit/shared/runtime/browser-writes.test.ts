import { describe, expect, it } from 'vitest';
import { browserWriteProblem, isLoopbackHost } from '../../../../shared/runtime/browser-writes.js';
import { toHttpStatus } from '../../../../shared/runtime/errors.js';

const json = { 'content-type': 'application/json', host: '127.0.0.1:8080' };

describe('Browser-facing writes (shared/runtime/browser-writes)', () => {
  it.each([
    ['JSON, same origin', { ...json, origin: 'http://127.0.0.1:8080' }, undefined],
    ['JSON with a charset, no Origin (curl)', { ...json, 'content-type': 'application/json; charset=utf-8' }, undefined],
    ['JSON, no Origin, Sec-Fetch-Site same-origin', { ...json, 'sec-fetch-site': 'same-origin' }, undefined],
    [
      'JSON behind a proxy (X-Forwarded-Host)',
      { ...json, host: '127.0.0.1:4711', 'x-forwarded-host': '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' },
      undefined
    ],
    [
      'text/plain (a no-cors POST)',
      { ...json, 'content-type': 'text/plain;charset=UTF-8', origin: 'https://evil.example' },
      415
    ],
    ['a form', { ...json, 'content-type': 'application/x-www-form-urlencoded' }, 415],
    ['no content type', { host: json.host }, 415],
    ['application/json-seq (not JSON)', { ...json, 'content-type': 'application/json-seq' }, 415],
    ['a foreign Origin', { ...json, origin: 'https://evil.example' }, 403],
    ['the same host on another port', { ...json, origin: 'http://127.0.0.1:9999' }, 403],
    ['Origin null', { ...json, origin: 'null' }, 403],
    ['no Origin, Sec-Fetch-Site cross-site', { ...json, 'sec-fetch-site': 'cross-site' }, 403],
    ['no Origin, Sec-Fetch-Site same-site', { ...json, 'sec-fetch-site': 'same-site' }, 403]
  ])('%s → %s', (_name, headers, status) => {
    // Act
    const problem = browserWriteProblem(headers);
    // Assess
    expect(problem === undefined ? undefined : toHttpStatus(problem)).toBe(status);
  });

  it('takes an origin the configuration allows, and checks only the origin of a POST without a body', () => {
    // Assess
    expect(
      browserWriteProblem({ ...json, origin: 'https://page.example.com' }, ['https://page.example.com'])
    ).toBeUndefined();
    expect(browserWriteProblem({ host: json.host, origin: 'http://127.0.0.1:8080' }, [], { body: false })).toBeUndefined();
    expect(toHttpStatus(browserWriteProblem({ host: json.host, origin: 'https://evil.example' }, [], { body: false }))).toBe(
      403
    );
  });

  it.each([
    ['localhost:8080', true],
    ['LOCALHOST', true],
    ['app.localhost:3000', true],
    ['127.0.0.1:8080', true],
    ['127.1.2.3', true],
    ['[::1]:8080', true],
    ['[::ffff:127.0.0.1]:80', true],
    ['evil.example:8080', false],
    ['localhost.evil.example', false],
    ['127.0.0.1.nip.io', false],
    ['10.0.0.1:8080', false],
    ['[::2]:8080', false],
    ['', false],
    [undefined, false]
  ])('isLoopbackHost(%s) → %s', (host, loopback) => {
    // Assess
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
