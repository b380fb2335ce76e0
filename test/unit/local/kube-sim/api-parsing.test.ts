import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../local/kube-sim/api-errors.js';
import { decodeContinue, encodeContinue } from '../../../../local/kube-sim/api/paging.js';
import { reviewSpecFromProtobuf, msg, unwrapEnvelope } from '../../../../local/kube-sim/api/protobuf.js';
import { boolParam, intParam, listQuery } from '../../../../local/kube-sim/api/query.js';
import { impersonate } from '../../../../local/kube-sim/auth/impersonation.js';
import { type Attributes } from '../../../../local/kube-sim/auth/rbac.js';
import { adminUser } from '../../../../local/kube-sim/auth/user.js';
import { selfSignedCertificate, serialNumber } from '../../../../local/kube-sim/tls.js';

const statusOf = (fn: () => unknown): { code: number; message?: string } => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err.status;
    throw err;
  }
  throw new Error('did not throw');
};

describe('Kube simulator: query parameters (apimachinery conversion)', () => {
  it.each([
    ['watch=true', true],
    ['watch=True', true],
    ['watch=TRUE', true],
    ['watch=1', true],
    ['watch=yes', true],
    ['watch=', true],
    ['watch=false', false],
    ['watch=False', false],
    ['watch=0', false],
    ['', false],
    ['watch=0&watch=1', false]
  ])('%s → %s', (query, expected) => {
    // Act
    const v = boolParam(new URLSearchParams(query), 'watch');
    // Assess
    expect(v).toBe(expected);
  });

  it.each([
    ['limit=10', 10],
    ['limit=%2B7', 7],
    ['limit=-3', -3],
    ['limit=9007199254740991', Number.MAX_SAFE_INTEGER]
  ])('%s → %s', (query, expected) => {
    // Act
    const v = intParam(new URLSearchParams(query), 'limit');
    // Assess
    expect(v).toBe(expected);
  });

  it.each([
    ['limit=1e3', 'strconv.ParseInt: parsing "1e3": invalid syntax'],
    ['limit= 5', 'strconv.ParseInt: parsing " 5": invalid syntax'],
    ['limit=9223372036854775808', 'strconv.ParseInt: parsing "9223372036854775808": value out of range']
  ])('%s is a 400', (query, message) => {
    // Act
    const s = statusOf(() => intParam(new URLSearchParams(query), 'limit'));
    // Assess
    expect(s).toMatchObject({ code: 400, message });
  });

  it('a watch may not name a resourceVersionMatch without sendInitialEvents', () => {
    // Act
    const s = statusOf(() => listQuery(new URLSearchParams('watch=1&resourceVersion=5&resourceVersionMatch=NotOlderThan')));
    // Assess
    expect(s).toMatchObject({
      code: 422,
      message:
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'
    });
  });
});

describe('Kube simulator: continue tokens', () => {
  it('round-trips rv and start key', () => {
    // Act
    const token = encodeContinue(1234, 'demo/p-0099\u0000');
    // Assess
    expect(JSON.parse(Buffer.from(token, 'base64url').toString())).toEqual({
      v: 'meta.k8s.io/v1',
      rv: 1234,
      start: 'demo/p-0099\u0000'
    });
    expect(decodeContinue(token)).toEqual({ rv: 1234, start: 'demo/p-0099\u0000' });
  });

  it.each([
    [
      Buffer.from('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}').toString('base64url'),
      'incorrect encoded start resourceVersion'
    ],
    [Buffer.from('{"v":"meta.k8s.io/v1","rv":3,"start":""}').toString('base64url'), 'encoded start key empty'],
    [
      Buffer.from('{"v":"v9","rv":3,"start":"a"}').toString('base64url'),
      'server does not recognize this encoded version v9'
    ],
    [Buffer.from('{"v":"meta.k8s.io/v1","rv":3,"start":"../other/a"}').toString('base64url'), '../other/a'],
    ['a', 'illegal base64 data at input byte 0']
  ])('rejects a bad token (%#)', (token, words) => {
    // Act
    const s = statusOf(() => decodeContinue(token));
    // Assess
    expect(s.code).toBe(400);
    expect(s.message).toContain('invalid continue token: continue key is not valid');
    expect(s.message).toContain(words);
  });
});

/** A protobuf length-delimited field. */
const field = (n: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([(n << 3) | 2, body.length]), body]);
const s = (n: number, v: string): Buffer => field(n, Buffer.from(v));

describe('Kube simulator: protobuf access reviews', () => {
  it('reads a SelfSubjectAccessReview as kubernetes-mcp-server sends it', () => {
    // Prepare: k8s\0 + runtime.Unknown{typeMeta, raw: SSAR{spec{resourceAttributes{verb, resource}}}}
    const attributes = Buffer.concat([s(2, 'list'), s(5, 'pods')]);
    const review = field(2, field(1, attributes));
    const typeMeta = Buffer.concat([s(1, 'authorization.k8s.io/v1'), s(2, 'SelfSubjectAccessReview')]);
    const body = Buffer.concat([Buffer.from('k8s\0'), field(1, typeMeta), field(2, review)]);
    // Act
    const { apiVersion, kind, raw } = unwrapEnvelope(body);
    const spec = reviewSpecFromProtobuf(msg(raw, 2));
    // Assess
    expect([apiVersion, kind]).toEqual(['authorization.k8s.io/v1', 'SelfSubjectAccessReview']);
    expect(spec).toEqual({ resourceAttributes: { verb: 'list', resource: 'pods' } });
  });

  it('refuses a body without the envelope', () => {
    // Act
    const st = statusOf(() => unwrapEnvelope(Buffer.from('{}')));
    // Assess
    expect(st.code).toBe(400);
  });
});

describe('Kube simulator: the serving certificate', () => {
  it('is a valid self-signed certificate for the loopback names', () => {
    // Act
    const { cert } = selfSignedCertificate();
    const x = new X509Certificate(cert);
    // Assess
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkIP('::1')).toBe('::1');
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.subject).toBe('CN=kube-sim');
    expect(new Date(x.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
  });

  it('has a serial number DER accepts whatever the random bytes (no leading zero byte, never negative)', () => {
    // Act: every value the first random byte can take
    const firsts = Array.from({ length: 256 }, (_, b) => serialNumber(Buffer.from([b, ...Array(15).fill(0)]))[0]!);
    // Assess
    expect(firsts.every((b) => b >= 1 && b <= 0x7f)).toBe(true);
  });

  it('is well-formed DER that a TLS context accepts', () => {
    // Act
    const failures = Array.from({ length: 20 }, () => selfSignedCertificate()).filter((c) => {
      try {
        createSecureContext(c);
        return false;
      } catch {
        return true;
      }
    });
    // Assess
    expect(failures).toHaveLength(0);
  });
});

describe('Kube simulator: impersonation', () => {
  const allowAll = (): { allowed: boolean; reason: string } => ({ allowed: true, reason: '' });
  const seen: Attributes[] = [];
  const recordAll = (a: Attributes) => (seen.push(a), { allowed: true, reason: '' });

  it('a ServiceAccount user gets its groups and system:authenticated, after an impersonate check on serviceaccounts', () => {
    // Prepare
    const headers = { 'impersonate-user': 'system:serviceaccount:cortex:check-pod-status' };
    // Act
    const user = impersonate(adminUser(), headers, { 'impersonate-user': [headers['impersonate-user']] }, recordAll);
    // Assess
    expect(user).toEqual({
      username: 'system:serviceaccount:cortex:check-pod-status',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:cortex', 'system:authenticated']
    });
    expect(seen.at(-1)).toMatchObject({
      verb: 'impersonate',
      resource: 'serviceaccounts',
      namespace: 'cortex',
      name: 'check-pod-status'
    });
  });

  it('groups replace the ServiceAccount groups; extras and uid are checked too', () => {
    // Prepare
    const distinct = {
      'impersonate-user': ['bob'],
      'impersonate-group': ['devs', 'ops'],
      'impersonate-uid': ['u-1'],
      'impersonate-extra-scopes': ['a']
    };
    // Act
    const user = impersonate(adminUser(), { ...distinct } as never, distinct, allowAll);
    // Assess
    expect(user).toEqual({
      username: 'bob',
      groups: ['devs', 'ops', 'system:authenticated'],
      uid: 'u-1',
      extra: { scopes: ['a'] }
    });
  });

  it('a requester who may not impersonate gets the 403 of the API server', () => {
    // Prepare
    const deny = () => ({ allowed: false, reason: '' });
    const headers = { 'impersonate-user': 'alice' };
    // Act
    const st = statusOf(() =>
      impersonate({ username: 'bob', groups: ['system:authenticated'] }, headers, { 'impersonate-user': ['alice'] }, deny)
    );
    // Assess
    expect(st).toMatchObject({
      code: 403,
      message:
        'users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope'
    });
  });

  it('groups without a user are refused', () => {
    // Act
    const st = statusOf(() =>
      impersonate(adminUser(), { 'impersonate-group': 'x' }, { 'impersonate-group': ['x'] }, allowAll)
    );
    // Assess
    expect(st.code).toBe(500);
  });
});
