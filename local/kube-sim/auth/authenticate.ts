import { randomUUID } from 'node:crypto';
import { type CryptoKey, SignJWT, generateKeyPair, jwtVerify } from 'jose';
import { unauthorized } from '../api-errors.js';
import { type KubeObject, k8sTime } from '../types.js';
import {
  ALL_AUTHENTICATED,
  type UserInfo,
  adminUser,
  anonymousUser,
  serviceAccountGroups,
  serviceAccountUsername
} from './user.js';

/*
 * Authentication as kube-apiserver does it with a static admin token and bound ServiceAccount tokens:
 * - no Authorization header (or not a bearer one) is the anonymous user;
 * - the admin token is `kubernetes-admin` in `system:masters` (a kind cluster's admin.conf);
 * - a ServiceAccount token is an RS256 JWT the simulator issued through TokenRequest (serviceaccounts/token), valid
 *   while it has not expired, names the API server's audience, and its ServiceAccount still exists with the same uid;
 * - any other bearer token is 401 Unauthorized (never anonymous: a bad credential is not "no credential").
 * A token's verified claims are kept for 10 s, never past its expiry, as kube-apiserver caches successful token
 * authentications (its TokenSuccessCacheTTL, 10 s; failures are not cached): checking RS256 on every request was ~3 %
 * of the pipeline bench's CPU (node --cpu-prof). The ServiceAccount is still looked up on every request, so a deleted
 * one's token stops at once.
 */

export const ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** The API server's own audience (`--api-audiences` defaults to the issuer). */
export const API_AUDIENCES = [ISSUER];

export interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string };
}

export interface IssuedToken {
  token: string;
  expirationTimestamp: string;
  audiences: string[];
}

interface ServiceAccountClaims {
  'kubernetes.io'?: { namespace?: string; serviceaccount?: { name?: string; uid?: string } };
}

/** How long a verified token is trusted without checking its signature again (kube-apiserver's success TTL). */
export const TOKEN_CACHE_TTL_MS = 10_000;
/** Tokens kept at most; the cache starts over when full (tokens are few: one per identity and audience). */
const TOKEN_CACHE_MAX = 1024;

type VerifiedClaims = ServiceAccountClaims & { jti?: string; exp?: number };

export class Authenticator {
  private keys: Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }> | undefined;
  private readonly verified = new Map<string, { claims: VerifiedClaims; from: number; until: number }>();

  constructor(
    private readonly o: {
      adminToken: string;
      now: () => number;
      /** The stored ServiceAccount, if it exists. */
      serviceAccount: (namespace: string, name: string) => KubeObject | undefined;
    }
  ) {}

  private signingKeys(): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }> {
    this.keys ??= generateKeyPair('RS256');
    return this.keys;
  }

  /** Mints a bound token for a ServiceAccount (the TokenRequest API); the caller validated the spec. */
  async issue(sa: KubeObject, spec: TokenRequestSpec): Promise<IssuedToken> {
    const { privateKey } = await this.signingKeys();
    const nowS = Math.floor(this.o.now() / 1000);
    const exp = nowS + (spec.expirationSeconds ?? 3600);
    const audiences = spec.audiences?.length ? spec.audiences : API_AUDIENCES;
    const token = await new SignJWT({
      'kubernetes.io': {
        namespace: sa.metadata.namespace,
        serviceaccount: { name: sa.metadata.name, uid: sa.metadata.uid }
      }
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'kube-sim' })
      .setIssuer(ISSUER)
      .setSubject(serviceAccountUsername(sa.metadata.namespace ?? '', sa.metadata.name))
      .setAudience(audiences)
      .setIssuedAt(nowS)
      .setNotBefore(nowS)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(privateKey);
    return { token, expirationTimestamp: k8sTime(exp * 1000), audiences };
  }

  /** The user of a request, from its Authorization header; throws the 401 ApiError for a rejected credential. */
  async authenticate(authorization: string | undefined): Promise<UserInfo> {
    const parts = (authorization ?? '').trim().split(/\s+/);
    if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer' || !parts[1]) return anonymousUser();
    const token = parts[1];
    if (token === this.o.adminToken) return adminUser();
    return this.serviceAccountUser(token);
  }

  /** The claims of a valid token: from the cache while it holds, else verified (and cached) now. */
  private async claims(token: string): Promise<VerifiedClaims> {
    const now = this.o.now();
    const hit = this.verified.get(token);
    if (hit && now >= hit.from && now < hit.until) return hit.claims;
    const { publicKey } = await this.signingKeys();
    let payload: VerifiedClaims;
    try {
      ({ payload } = await jwtVerify<VerifiedClaims>(token, publicKey, {
        issuer: ISSUER,
        audience: API_AUDIENCES,
        currentDate: new Date(now)
      }));
    } catch {
      this.verified.delete(token);
      throw unauthorized();
    }
    if (this.verified.size >= TOKEN_CACHE_MAX) this.verified.clear();
    const until = Math.min(now + TOKEN_CACHE_TTL_MS, (payload.exp ?? Infinity) * 1000);
    this.verified.set(token, { claims: payload, from: now, until });
    return payload;
  }

  private async serviceAccountUser(token: string): Promise<UserInfo> {
    const payload = await this.claims(token);
    const claims = payload['kubernetes.io'];
    const namespace = claims?.namespace;
    const name = claims?.serviceaccount?.name;
    const sa = namespace && name ? this.o.serviceAccount(namespace, name) : undefined;
    // A bound token dies with its ServiceAccount, even before it expires.
    if (!sa || sa.metadata.uid !== claims?.serviceaccount?.uid) throw unauthorized();
    return {
      username: serviceAccountUsername(namespace!, name!),
      uid: sa.metadata.uid,
      groups: [...serviceAccountGroups(namespace!), ALL_AUTHENTICATED],
      extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${payload.jti ?? ''}`] }
    };
  }
}
