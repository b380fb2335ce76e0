import { randomBytes } from 'node:crypto';

/** The local stack's credentials: taken from the configuration when set, otherwise fresh for this run. */
export function localSecrets(given: {
  sessionSecret?: string | undefined;
  operatorToken?: string | undefined;
  chatToken?: string | undefined;
}): {
  sessionSecret: string;
  operatorToken: string;
  /** The chat's credential at Cortex's MCP server (healing-history). */
  chatToken: string;
} {
  return {
    sessionSecret: given.sessionSecret ?? randomBytes(32).toString('hex'),
    operatorToken: given.operatorToken ?? randomBytes(24).toString('base64url'),
    chatToken: given.chatToken ?? randomBytes(24).toString('base64url')
  };
}
