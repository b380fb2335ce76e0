import { randomBytes } from 'node:crypto';
import { keysOf, type AnyFunctionDef, type KeyName } from '../../shared/runtime/define-function.js';
import { KEY_ENV } from '../../shared/runtime/env-security.js';

/** The local stack's credentials: taken from the configuration when set, otherwise fresh for this run. */
export interface LocalSecrets {
  sessionSecret: string;
  operatorToken: string;
  /** The chat's credential at Cortex's MCP server (healing-history). */
  chatToken: string;
  /** One signing key per Secret of knative/config.yaml. */
  keys: Record<KeyName, string>;
}

const fresh = (): string => randomBytes(32).toString('hex');

export function localSecrets(given: {
  sessionSecret?: string | undefined;
  operatorToken?: string | undefined;
  chatToken?: string | undefined;
  security?: { keys: Partial<Record<KeyName, readonly string[]>> };
}): LocalSecrets {
  const key = (name: KeyName): string => given.security?.keys[name]?.join(',') ?? fresh();
  return {
    sessionSecret: given.sessionSecret ?? fresh(),
    operatorToken: given.operatorToken ?? randomBytes(24).toString('base64url'),
    chatToken: given.chatToken ?? randomBytes(24).toString('base64url'),
    keys: {
      diagnosis: key('diagnosis'),
      remediation: key('remediation'),
      stream: key('stream'),
      approval: key('approval')
    }
  };
}

/**
 * The signing keys one function gets, as its environment: only the ones its trust spec names, as a Knative Service
 * mounts only those Secrets.
 *
 * @example
 * keyEnv(coordinator, secrets); // → { CORTEX_DIAGNOSIS_KEY: '…', CORTEX_REMEDIATION_KEY: '…', CORTEX_STREAM_KEY: '…' }
 */
export function keyEnv(def: Pick<AnyFunctionDef, 'trust'>, secrets: LocalSecrets): Record<string, string> {
  return Object.fromEntries(keysOf(def).map((k) => [KEY_ENV[k], secrets.keys[k]]));
}
