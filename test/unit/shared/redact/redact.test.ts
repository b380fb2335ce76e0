import { describe, expect, it } from 'vitest';
import { capText, redactDeep, redactText } from '../../../../shared/redact/redact.js';

const PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF0PbnGcY5unA67hqxnfZ3SJYdmS1',
  'pQ5bT1cZ8Vb0nJ+LBUY6hKl0Zm8wqf1A0R1o+9E4sZ3Hq8lq6Q9N1Qj3Ib4yGmoz',
  '-----END RSA PRIVATE KEY-----'
].join('\n');
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('redactText', () => {
  it.each([
    ['a bearer token', 'GET /api Authorization: Bearer abcDEF123456789xyz', 'abcDEF123456789xyz', 'bearer'],
    ['a JWT as a bearer token', `Authorization: Bearer ${JWT}`, JWT, 'jwt'],
    ['an API key in key=value form', 'starting with API_KEY=k3y-value-9981 and more', 'k3y-value-9981', 'key_value_secret'],
    ['a password in key: value form', 'db password: hunter2hunter2', 'hunter2hunter2', 'key_value_secret'],
    ['a secret flag', 'exec app --client-secret s3cr3tvalue', 's3cr3tvalue', 'key_value_secret'],
    ['a quoted secret', "SECRET='quoted secret value'", 'quoted secret value', 'key_value_secret'],
    ['a JSON secret', '{"user":"svc","password":"p@ss\\"word"}', 'p@ss', 'json_secret'],
    ['a JWT', `token payload ${JWT} end`, JWT, 'jwt'],
    [
      'a connection string',
      'connect postgres://admin:Sup3rS3cret@db.demo.svc:5432/app failed',
      'Sup3rS3cret',
      'connection_string'
    ],
    [
      'an Anthropic key with no name',
      'called with sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv',
      'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv',
      'api_key'
    ],
    ['an AWS access key id', 'AKIAIOSFODNN7EXAMPLE was rejected', 'AKIAIOSFODNN7EXAMPLE', 'api_key'],
    ['an email address', 'mail sent to jane.doe+ops@example.co.uk', 'jane.doe+ops@example.co.uk', 'email']
  ])('removes %s and counts it', (_name, text, secret, kind) => {
    // Act
    const r = redactText(text);
    // Assess
    expect(r.value).not.toContain(secret);
    expect(r.value).toContain(`[REDACTED:${kind}]`);
    expect(r.count).toBeGreaterThanOrEqual(1);
    expect(r.byKind[kind as keyof typeof r.byKind]).toBeGreaterThanOrEqual(1);
  });

  it('counts an Authorization header once', () => {
    expect(redactText(`Authorization: Bearer ${JWT}`)).toMatchObject({
      value: 'Authorization: Bearer [REDACTED:jwt]',
      count: 1
    });
  });

  it('removes a multi-line PEM private key as one redaction, keeping the lines around it', () => {
    // Arrange
    const log = `loading key\n${PEM}\nkey loaded`;
    // Act
    const r = redactText(log);
    // Assess
    expect(r.value).toBe('loading key\n[REDACTED:private_key]\nkey loaded');
    expect(r.count).toBe(1);
  });

  it('removes a PEM key cut short at the end of the block', () => {
    const r = redactText(`crash\n${PEM.split('\n').slice(0, 2).join('\n')}`);
    expect(r.value).toBe('crash\n[REDACTED:private_key]');
  });

  it('removes the pieces of a key a line-by-line source left: a lone footer and body lines', () => {
    const lines = PEM.split('\n').slice(1);
    const r = redactText(`sample: "${lines[0]}" | last line: "${lines.at(-1)}"`);
    expect(r.value).toBe('sample: "[REDACTED:key_material]" | last line: "[REDACTED:key_material]"');
  });

  it('keeps hex digests and long names', () => {
    const text =
      'image sha256:9b2a0c1f4e5d6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2 in api-deployment-with-a-long-name-1234';
    expect(redactText(text).count).toBe(0);
  });

  it('removes a secret in pretty-printed JSON spanning lines', () => {
    const text = JSON.stringify({ config: { apiKey: 'zz-top-secret-1', region: 'eu' } }, null, 2);
    const r = redactText(text);
    expect(r.value).not.toContain('zz-top-secret-1');
    expect(r.value).toContain('"region": "eu"');
  });

  it('keeps ordinary text whole and counts nothing', () => {
    const text = 'Back-off restarting failed container api in pod api-7d9 (exit code 1) at 10.96.0.15:5432';
    expect(redactText(text)).toEqual({ value: text, count: 0, byKind: {} });
  });

  it('never redacts its own markers again (idempotent)', () => {
    const once = redactText(`password=abc12345 ${JWT} Bearer abcdefghijkl redis://u:pw12@h:6379 a@b.io ${PEM}`);
    const twice = redactText(once.value);
    expect(twice.value).toBe(once.value);
    expect(twice.count).toBe(0);
  });
});

describe('redactDeep', () => {
  it('redacts every string of a nested value and values of secret-named properties, leaving the input unchanged', () => {
    // Arrange
    const input = { target: 'demo/api', evidence: ['DB_PASSWORD=hunter22', 'ok'], auth: { token: 'opaque' }, n: 3 };
    // Act
    const r = redactDeep(input);
    // Assess
    expect(r.value).toEqual({
      target: 'demo/api',
      evidence: ['DB_PASSWORD=[REDACTED:key_value_secret]', 'ok'],
      auth: { token: '[REDACTED:key_value_secret]' },
      n: 3
    });
    expect(r.count).toBe(2);
    expect(input.evidence[0]).toBe('DB_PASSWORD=hunter22');
  });
});

describe('capText', () => {
  it('keeps the end of a long block and marks the cut', () => {
    expect(capText('abcdefghij', 5)).toBe('…ghij');
    expect(capText('short', 5)).toBe('short');
  });
});
