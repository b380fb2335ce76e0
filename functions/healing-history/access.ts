import type { McpServerConfig } from '../../shared/runtime/config.js';
import { verifyOperatorToken } from '../../shared/session/token.js';

/*
 * Who may read the history (DESIGN §13): the operator token sees every healing; the chat's own credential sees the
 * healings of the targets behind the chat's MCP servers, and nothing else. Anyone else: refused.
 */

export type Reader = { kind: 'operator' } | { kind: 'chat'; targets: ReadonlySet<string> };

export interface AccessConfig {
  operatorToken: string | undefined;
  chatToken: string | undefined;
  /** The chat's MCP servers (CORTEX_MCP_SERVERS): their targets are what the chat may see. */
  chatServers: readonly McpServerConfig[];
}

/** The bearer token of an Authorization header. */
export function bearerOf(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/**
 * The reader a credential names, or undefined (refuse).
 *
 * @example
 * readerOf(access, bearerOf(req.get('authorization')));
 */
export function readerOf(access: AccessConfig, token: string | undefined): Reader | undefined {
  if (verifyOperatorToken(access.operatorToken, token)) return { kind: 'operator' };
  if (verifyOperatorToken(access.chatToken, token))
    return { kind: 'chat', targets: new Set(access.chatServers.map((s) => `${s.target.namespace}/${s.target.service}`)) };
  return undefined;
}

/** Whether the reader may see a healing of `target` (`namespace/service`). */
export function mayRead(reader: Reader, target: string): boolean {
  return reader.kind === 'operator' || reader.targets.has(target);
}
