import { readFile } from 'node:fs/promises';
import type * as jose from 'jose';
import path from 'node:path';
import type { Headers } from '../events/http.js';
import { RequestError, TransientError } from '../runtime/errors.js';
import { SERVICE_ACCOUNT_NAMESPACE_FILE } from '../runtime/pod-namespace.js';
import { subjectAllowed } from './identity.js';

/*
 * Authenticated delivery, the Knative way (Eventing's `authentication-oidc`): a Trigger with `subscriber.audience`
 * makes the broker send each event with a JWT for that audience, issued to the Trigger's own identity. The function
 * verifies it before it reads the event: signature (the issuer's JWKS, found through its OIDC discovery document),
 * issuer, audience = itself, expiry, and a sender it accepts. No valid token → 401, a token from a sender it does not
 * accept → 403 (Knative retries neither); the issuer unreachable → 503 (retried). jose is loaded only when this is on.
 */

/** The pod's ServiceAccount token, which the API server's discovery and JWKS endpoints ask for. */
export const SERVICE_ACCOUNT_TOKEN_FILE = path.posix.join(path.posix.dirname(SERVICE_ACCOUNT_NAMESPACE_FILE), 'token');

export interface DeliveryAuth {
  /** The token's subject, or throws RequestError (401/403) or TransientError (503). */
  verify(headers: Headers): Promise<string>;
}

export interface DeliveryAuthOptions {
  /** Base URL of the issuer's discovery (`<url>/.well-known/openid-configuration`). */
  discoveryUrl: string;
  /** What the token must be for: this function's audience. */
  audience: string;
  /** Subjects (or `prefix*` patterns) whose deliveries it takes. */
  senders: readonly string[];
  /** Bearer token for the discovery and JWKS requests, when the file exists (the API server wants one). */
  apiTokenFile?: string;
  timeoutMs?: number;
}

type Jose = typeof jose;
interface Issuer {
  jose: Jose;
  issuer: string;
  jwks: ReturnType<Jose['createRemoteJWKSet']>;
}

/** `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(headers: Headers): string | undefined {
  const raw = headers.authorization ?? headers.Authorization;
  const value = Array.isArray(raw) ? raw[0] : raw;
  return /^Bearer\s+(\S+)\s*$/i.exec(value ?? '')?.[1];
}

async function apiHeaders(file: string | undefined): Promise<Record<string, string>> {
  if (!file) return {};
  const token = await readFile(file, 'utf8').then(
    (t) => t.trim(),
    () => ''
  );
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * @example
 * const auth = createDeliveryAuth({ discoveryUrl: 'https://kubernetes.default.svc', audience, senders });
 * const subject = await auth.verify(req.headers); // 401/403/503 as a thrown CortexError
 */
export function createDeliveryAuth(opts: DeliveryAuthOptions): DeliveryAuth {
  const base = opts.discoveryUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 5_000;
  let loading: Promise<Issuer> | undefined;

  async function load(): Promise<Issuer> {
    const lib = await import('jose');
    const headers = await apiHeaders(opts.apiTokenFile);
    const url = `${base}/.well-known/openid-configuration`;
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof doc.issuer !== 'string' || typeof doc.jwks_uri !== 'string')
      throw new Error(`${url} names no issuer and jwks_uri`);
    const jwks = lib.createRemoteJWKSet(new URL(doc.jwks_uri), { headers, timeoutDuration: timeoutMs });
    return { jose: lib, issuer: doc.issuer, jwks };
  }

  async function issuer(): Promise<Issuer> {
    try {
      return await (loading ??= load());
    } catch (err) {
      loading = undefined;
      throw new TransientError(`OIDC discovery at ${base} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  return {
    async verify(headers) {
      const token = bearerToken(headers);
      if (!token)
        throw new RequestError(
          401,
          'unauthenticated',
          `no delivery token: events come from the broker with a token for ${opts.audience}`
        );
      const { jose: lib, issuer: iss, jwks } = await issuer();
      let subject: string | undefined;
      try {
        const { payload } = await lib.jwtVerify(token, jwks, { issuer: iss, audience: opts.audience, clockTolerance: 5 });
        subject = payload.sub;
      } catch (err) {
        // A JOSE error is about the token (expired, wrong audience, bad signature, unknown key); anything else, or
        // a timeout, is the issuer being unreachable: that is retried, never answered as the sender's fault.
        if (!(err instanceof lib.errors.JOSEError) || err instanceof lib.errors.JWKSTimeout)
          throw new TransientError(`the issuer's keys could not be fetched: ${(err as Error).message}`, { cause: err });
        throw new RequestError(401, 'unauthenticated', `delivery token refused: ${err.message}`);
      }
      if (!subject || !subjectAllowed(subject, opts.senders))
        throw new RequestError(403, 'forbidden_sender', `${subject ?? 'a token without a subject'} may not deliver here`);
      return subject;
    }
  };
}
