import * as z from 'zod';
import { csv, secret } from './env-schema.js';
import type { KeyName } from './define-function.js';
import { serviceAudience } from '../trust/identity.js';

/*
 * The environment of event trust (docs/security.md), for the one schema in config.ts: authenticated delivery
 * (CORTEX_EVENT_AUTH, Knative's OIDC), the signing keys, and the origins browser-facing writes accept. Parsed once,
 * with the rest of the configuration.
 */

/** One key list per signing key: comma-separated, the first signs and any verifies (rotation), 32 characters or more. */
const keys = (name: string, from: string) =>
  secret(name, from).pipe(
    csv.pipe(
      z
        .array(z.string().min(32, `${name}: every key must be at least 32 characters (e.g. openssl rand -hex 32)`))
        .min(1, `${name} is empty`)
    )
  );

export const SECURITY_ENV = {
  // Knative Eventing's authentication-oidc: every delivery carries a JWT for this function's audience.
  CORTEX_EVENT_AUTH: z.enum(['oidc', 'off']).default('off'),
  // Where the cluster's issuer publishes its discovery document (the API server in Kubernetes; the broker locally).
  CORTEX_OIDC_DISCOVERY_URL: z.url().default('https://kubernetes.default.svc'),
  // Where a SinkBinding mounts the token this function sends its events with.
  CORTEX_OIDC_TOKEN_FILE: z.string().default('/oidc/token'),
  // Unset: serving.knative.dev/service/<namespace>/<function>, what the generated Triggers name as subscriber.audience.
  CORTEX_EVENT_AUDIENCE: z.string().optional(),
  // Unset: any identity of this function's namespace (Knative's default allow-same-namespace). `*` ends a prefix.
  CORTEX_EVENT_SENDERS: csv.optional(),
  CORTEX_DIAGNOSIS_KEY: keys('CORTEX_DIAGNOSIS_KEY', 'cortex-diagnosis-key').optional(),
  CORTEX_REMEDIATION_KEY: keys('CORTEX_REMEDIATION_KEY', 'cortex-remediation-key').optional(),
  CORTEX_STREAM_KEY: keys('CORTEX_STREAM_KEY', 'cortex-stream-key').optional(),
  // Approvals (DESIGN §12): only the approvals function and the coordinator hold it.
  CORTEX_APPROVAL_KEY: keys('CORTEX_APPROVAL_KEY', 'cortex-approval-key').optional(),
  // Origins (scheme://host[:port]) besides the request's own that may POST to /chat (e.g. the page on another host).
  CORTEX_ALLOWED_ORIGINS: csv.default([]),
  // For `cortex send|replay` against a Broker with OIDC: a token of the operator's identity (kubectl create token).
  CORTEX_EVENT_TOKEN: z.string().min(1).optional()
};

type SecurityEnv = z.output<z.ZodObject<typeof SECURITY_ENV>>;

export interface SecurityConfig {
  eventAuth: 'oidc' | 'off';
  oidc: { discoveryUrl: string; tokenFile: string; audience: string; senders: string[] };
  keys: Partial<Record<KeyName, string[]>>;
  allowedOrigins: string[];
  /** What the CLI sends its events with, when set. */
  eventToken: string | undefined;
}

/** The security slice of Config, from the parsed environment and who this function is. */
export function securityConfig(e: SecurityEnv, namespace: string, name: string | undefined): SecurityConfig {
  return {
    eventAuth: e.CORTEX_EVENT_AUTH,
    oidc: {
      discoveryUrl: e.CORTEX_OIDC_DISCOVERY_URL,
      tokenFile: e.CORTEX_OIDC_TOKEN_FILE,
      audience: e.CORTEX_EVENT_AUDIENCE ?? serviceAudience(namespace, name ?? 'unknown'),
      senders: e.CORTEX_EVENT_SENDERS ?? [`system:serviceaccount:${namespace}:*`]
    },
    keys: {
      ...(e.CORTEX_DIAGNOSIS_KEY ? { diagnosis: e.CORTEX_DIAGNOSIS_KEY } : {}),
      ...(e.CORTEX_REMEDIATION_KEY ? { remediation: e.CORTEX_REMEDIATION_KEY } : {}),
      ...(e.CORTEX_STREAM_KEY ? { stream: e.CORTEX_STREAM_KEY } : {}),
      ...(e.CORTEX_APPROVAL_KEY ? { approval: e.CORTEX_APPROVAL_KEY } : {})
    },
    allowedOrigins: e.CORTEX_ALLOWED_ORIGINS,
    eventToken: e.CORTEX_EVENT_TOKEN
  };
}

/** The environment variable of each signing key. */
export const KEY_ENV: Readonly<Record<KeyName, string>> = {
  diagnosis: 'CORTEX_DIAGNOSIS_KEY',
  remediation: 'CORTEX_REMEDIATION_KEY',
  stream: 'CORTEX_STREAM_KEY',
  approval: 'CORTEX_APPROVAL_KEY'
};
