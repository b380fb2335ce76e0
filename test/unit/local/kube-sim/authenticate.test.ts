import { describe, expect, it } from 'vitest';
import { Authenticator, TOKEN_CACHE_TTL_MS } from '../../../../local/kube-sim/auth/authenticate.js';
import type { KubeObject } from '../../../../local/kube-sim/types.js';

/*
 * ServiceAccount tokens with the simulator's cache of verified tokens: the cache saves the signature check, never the
 * rules (expiry, the ServiceAccount still existing with the same uid).
 */

const sa = (uid: string): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'agent', namespace: 'cortex', uid } }) as KubeObject;

function setup(): { auth: Authenticator; clock: { now: number }; accounts: Map<string, KubeObject> } {
  const clock = { now: Date.parse('2026-12-01T10:00:00Z') };
  const accounts = new Map([['cortex/agent', sa('uid-1')]]);
  const auth = new Authenticator({
    adminToken: 'admin',
    now: () => clock.now,
    serviceAccount: (ns, name) => accounts.get(`${ns}/${name}`)
  });
  return { auth, clock, accounts };
}

describe('kube-sim: ServiceAccount token authentication', () => {
  it('a token authenticates again and again, also after the cache lapses, until it expires', async () => {
    // Prepare
    const { auth, clock } = setup();
    const { token } = await auth.issue(sa('uid-1'), { expirationSeconds: 600 });
    // Act
    const first = await auth.authenticate(`Bearer ${token}`);
    clock.now += 1000;
    const cached = await auth.authenticate(`Bearer ${token}`);
    clock.now += TOKEN_CACHE_TTL_MS;
    const again = await auth.authenticate(`Bearer ${token}`);
    clock.now += 600_000;
    const expired = await auth.authenticate(`Bearer ${token}`).catch((e: unknown) => e);
    // Assess
    expect(first.username).toBe('system:serviceaccount:cortex:agent');
    expect(cached).toEqual(first);
    expect(again).toEqual(first);
    expect(expired).toMatchObject({ status: { code: 401, reason: 'Unauthorized' } });
  });

  it('a cached token expires with the token, not with the cache', async () => {
    // Prepare: the token expires within the cache's lifetime of its first check
    const { auth, clock } = setup();
    const { token } = await auth.issue(sa('uid-1'), { expirationSeconds: 600 });
    clock.now += 600_000 - TOKEN_CACHE_TTL_MS / 2;
    await auth.authenticate(`Bearer ${token}`);
    // Act
    clock.now += TOKEN_CACHE_TTL_MS / 2;
    const err = await auth.authenticate(`Bearer ${token}`).catch((e: unknown) => e);
    // Assess
    expect(err).toMatchObject({ status: { code: 401, reason: 'Unauthorized' } });
  });

  it('a cached token stops at once when its ServiceAccount is gone or was recreated', async () => {
    // Prepare
    const { auth, accounts } = setup();
    const { token } = await auth.issue(sa('uid-1'), { expirationSeconds: 600 });
    await auth.authenticate(`Bearer ${token}`);
    // Act
    accounts.set('cortex/agent', sa('uid-2'));
    const recreated = await auth.authenticate(`Bearer ${token}`).catch((e: unknown) => e);
    accounts.delete('cortex/agent');
    const deleted = await auth.authenticate(`Bearer ${token}`).catch((e: unknown) => e);
    // Assess
    expect(recreated).toMatchObject({ status: { code: 401, reason: 'Unauthorized' } });
    expect(deleted).toMatchObject({ status: { code: 401, reason: 'Unauthorized' } });
  });

  it('a forged token is refused every time (failures are not cached)', async () => {
    // Prepare
    const { auth } = setup();
    const { token } = await auth.issue(sa('uid-1'), { expirationSeconds: 600 });
    const [h, p] = token.split('.');
    const forged = `${h}.${p}.${Buffer.from('not the signature').toString('base64url')}`;
    // Act
    const errs = await Promise.all([1, 2].map(() => auth.authenticate(`Bearer ${forged}`).catch((e: unknown) => e)));
    const genuine = await auth.authenticate(`Bearer ${token}`);
    // Assess
    for (const e of errs) expect(e).toMatchObject({ status: { code: 401, reason: 'Unauthorized' } });
    expect(genuine.username).toBe('system:serviceaccount:cortex:agent');
  });
});
