import { describe, expect, it } from 'vitest';
import { audienceOf, childName, oidcSubject, subjectAllowed } from '../../../../shared/trust/identity.js';

/*
 * The vectors are upstream's own tests: knative/pkg kmeta/names_test.go (ChildName) and knative/eventing
 * pkg/auth/serviceaccount_test.go (the OIDC ServiceAccount names).
 */

describe('Knative OIDC names (shared/trust/identity)', () => {
  it.each([
    ['asdf', '-deployment', 'asdf-deployment'],
    ['f'.repeat(63), '-deployment', 'ffffffffffffffffffff105d7597f637e83cc711605ac3ea4957-deployment'],
    ['f'.repeat(63), '-deploy', 'ffffffffffffffffffffffff105d7597f637e83cc711605ac3ea4957-deploy'],
    ['f'.repeat(63), 'f'.repeat(63), 'fffffffffffffffffffffffffffffff0502661254f13c89973cb3a83e0cbec0'],
    ['a', 'f'.repeat(63), 'ab5cfd486935decbc0d305799f4ce4414ffffffffffffffffffffffffffffff'],
    ['b'.repeat(32), 'f'.repeat(32), 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb329c7c81b9ab3ba71aa139066aa5625d'],
    ['aaaa', 'b---a'.repeat(20), 'aaaa7a3f7966594e3f0849720eced8212c18b---ab---ab---ab---ab---ab'],
    [
      'a'.repeat(17),
      'a.-.-.-.-.-.-.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      'aaaaaaaaaaaaaaaaaa1eb10dc911444f8434af83b7225442da'
    ]
  ])('childName(%s, %s) is knative/pkg ChildName', (parent, suffix, want) => {
    // Act
    const got = childName(parent, suffix);
    // Assess
    expect(got).toBe(want);
  });

  it('names OIDC identities as Eventing does, lowercased, hashed when long', () => {
    // Act
    const short = oidcSubject('SinkBinding', 'cortex', 'chat');
    const long = oidcSubject('Trigger', 'cortex', 'sse-relay-remediation-cleanup-failed-pods-requested');
    // Assess
    expect(short).toBe('system:serviceaccount:cortex:chat-oidc-sources.knative.dev-sinkbinding');
    expect(long).toMatch(/^system:serviceaccount:cortex:sse-relay-remediation-cleanup-f[0-9a-f]{32}$/);
  });

  it('matches the upstream long-name vector of GetOIDCServiceAccountNameForResource', () => {
    // Act
    const sa = childName(
      'my-loooooooooooooooooooooooooooooooooooooog-Broker',
      '-oidc-eventing.knative.dev-Broker'
    ).toLowerCase();
    // Assess
    expect(sa).toBe('my-looooooooooooooooooooooooooo2dfc2a3825b8d82077b0f25518b36884');
    expect(audienceOf('eventing.knative.dev', 'Broker', 'cortex', 'default')).toBe(
      'eventing.knative.dev/broker/cortex/default'
    );
  });

  it('matches subjects exactly or by a trailing *', () => {
    // Assess
    expect(subjectAllowed('system:serviceaccount:cortex:x', ['system:serviceaccount:cortex:*'])).toBe(true);
    expect(subjectAllowed('system:serviceaccount:other:x', ['system:serviceaccount:cortex:*'])).toBe(false);
    expect(subjectAllowed('system:serviceaccount:cortex:x', ['system:serviceaccount:cortex:x'])).toBe(true);
    expect(subjectAllowed('system:serviceaccount:cortex:xy', ['system:serviceaccount:cortex:x'])).toBe(false);
  });
});
