import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brokerAudience, oidcSubject } from '../../shared/trust/identity.js';
import type { Logger } from '../../shared/runtime/logging.js';
import { TOKEN_TTL_S, type LocalIssuer } from '../broker/issuer.js';

/*
 * What a SinkBinding does for a function with Eventing's OIDC, done by the local stack: each function gets a token of
 * its own identity (the SinkBinding `<function>`'s ServiceAccount) for the Broker's audience, in a file only it reads
 * (`CORTEX_OIDC_TOKEN_FILE`, `/oidc/token` in a cluster), renewed well before it expires, as the SinkBinding
 * controller renews the Secret it mounts. The operator's identity (`cortex-operator`, what `kubectl create token`
 * gives in a cluster) gets one too: the fault buttons, `cortex send|replay` and tests publish with it.
 */

/** The ServiceAccount of the operator's identity, named by the EventPolicies of knative/oidc. */
export const OPERATOR_SERVICE_ACCOUNT = 'cortex-operator';
/** Renewed at half their life, as Eventing's SinkBinding resync does. */
const RENEW_MS = (TOKEN_TTL_S * 1000) / 2;

export interface TokenMounts {
  /** The token file of a function's SinkBinding identity. */
  fileOf(fn: string): string;
  /** The token file of the operator's identity. */
  readonly operatorFile: string;
  stop(): void;
}

/**
 * Writes and keeps renewing the token files of `functions` and of the operator.
 *
 * @example
 * const mounts = await mountTokens(issuer, { dir: '.cortex/oidc', namespace: 'cortex', broker: 'default', functions });
 * mounts.fileOf('chat'); // → '.cortex/oidc/chat/token'
 */
export async function mountTokens(
  issuer: LocalIssuer,
  opts: { dir: string; namespace: string; broker: string; functions: readonly string[]; log: Logger }
): Promise<TokenMounts> {
  const audience = brokerAudience(opts.namespace, opts.broker);
  const subjects = new Map<string, string>(opts.functions.map((fn) => [fn, oidcSubject('SinkBinding', opts.namespace, fn)]));
  subjects.set(OPERATOR_SERVICE_ACCOUNT, `system:serviceaccount:${opts.namespace}:${OPERATOR_SERVICE_ACCOUNT}`);
  const fileOf = (name: string): string => path.resolve(opts.dir, name, 'token');
  const writeAll = async (): Promise<void> => {
    for (const [name, subject] of subjects) {
      await mkdir(path.dirname(fileOf(name)), { recursive: true, mode: 0o700 });
      await writeFile(fileOf(name), await issuer.mint(subject, audience), { mode: 0o600 });
    }
  };
  await writeAll();
  const timer = setInterval(() => {
    writeAll().catch((err: unknown) => opts.log.error({ err }, 'renewing the local OIDC tokens failed'));
  }, RENEW_MS);
  timer.unref();
  return { fileOf, operatorFile: fileOf(OPERATOR_SERVICE_ACCOUNT), stop: () => clearInterval(timer) };
}
