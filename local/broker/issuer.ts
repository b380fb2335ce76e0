import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';

/*
 * The local stand-in for the cluster's OIDC issuer (the Kubernetes API server's service-account issuer): an RS256 key
 * made at start, an OIDC discovery document and a JWKS served by the broker, and tokens minted for an identity and an
 * audience, as TokenRequest mints them for a Trigger, a SinkBinding or an operator's ServiceAccount. Functions find
 * the keys through discovery, as they do in a cluster. jose is loaded only when the local stack runs with OIDC.
 */

/** Discovery path, served by the broker (the API server serves the same one). */
export const DISCOVERY_PATH = '/.well-known/openid-configuration';
/** JWKS path, as the Kubernetes API server names it. */
export const JWKS_PATH = '/openid/v1/jwks';
/** How long a minted token lives: Eventing requests one hour (pkg/auth/token_provider.go). */
export const TOKEN_TTL_S = 3600;

export interface LocalIssuer {
  /** The issuer URL (`iss`), the broker's origin; set once the broker listens. */
  readonly url: string;
  setUrl(url: string): void;
  /** A token for `sub` with audience `aud`. */
  mint(sub: string, aud: string, ttlSeconds?: number): Promise<string>;
  /** The subject of a valid token for `aud`, or throws (jose's error names why). */
  verify(token: string, aud: string): Promise<string>;
  discovery(): Record<string, unknown>;
  jwks(): { keys: JWK[] };
}

/**
 * @example
 * const issuer = await createLocalIssuer();
 * issuer.setUrl('http://127.0.0.1:41234');
 * const token = await issuer.mint('system:serviceaccount:cortex:cortex-operator', 'eventing.knative.dev/broker/cortex/default');
 */
export async function createLocalIssuer(): Promise<LocalIssuer> {
  const jose = await import('jose');
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(8).toString('hex');
  const jwk: JWK = { ...(await jose.exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  let url = '';
  return {
    get url() {
      if (!url) throw new Error('the local issuer has no URL yet: the broker is not listening');
      return url;
    },
    setUrl: (u) => void (url = u.replace(/\/+$/, '')),
    mint: (sub, aud, ttlSeconds = TOKEN_TTL_S) =>
      new jose.SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(url)
        .setSubject(sub)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
        .sign(privateKey),
    async verify(token, aud) {
      const { payload } = await jose.jwtVerify(token, publicKey, { issuer: url, audience: aud, algorithms: ['RS256'] });
      if (!payload.sub) throw new Error('the token has no subject');
      return payload.sub;
    },
    discovery: () => ({
      issuer: url,
      jwks_uri: `${url}${JWKS_PATH}`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256']
    }),
    jwks: () => ({ keys: [jwk] })
  };
}

/**
 * Tokens for outgoing requests, kept until five minutes before they expire (Eventing's OIDCTokenProvider cache).
 *
 * @example
 * const tokens = tokenCache(issuer);
 * await tokens.get(triggerSubject, subscriberAudience);
 */
export function tokenCache(issuer: Pick<LocalIssuer, 'mint'>): { get(sub: string, aud: string): Promise<string> } {
  const cache = new Map<string, { token: Promise<string>; until: number }>();
  return {
    get(sub, aud) {
      const key = `${sub}\u0000${aud}`;
      const hit = cache.get(key);
      if (hit && hit.until > Date.now()) return hit.token;
      const token = issuer.mint(sub, aud);
      cache.set(key, { token, until: Date.now() + (TOKEN_TTL_S - 300) * 1000 });
      return token;
    }
  };
}
