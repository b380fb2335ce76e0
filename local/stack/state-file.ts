import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** `.cortex/local.json`: the contract scripts and tests rely on to find a running local stack. */
export interface LocalState {
  frontDoor: string;
  broker: string;
  functions: Record<string, string>;
  kubeconfig: string;
  operatorToken: string;
  /** The chat's credential at Cortex's MCP server (it sees the healings of the chat's MCP servers' targets). */
  chatToken: string;
  /** CORTEX_EVENT_AUTH of the stack: with `oidc`, events sent to the broker need a token (`eventTokenFile`). */
  eventAuth: 'oidc' | 'off';
  /** With OIDC: the file holding a token of the operator's identity for the broker (renewed while the stack runs). */
  eventTokenFile?: string;
  demo: { namespace: string; deployment: string; service: string; mcpUrl?: string };
  claude: { mode: 'stand-in' | 'anthropic'; url?: string };
  simulator: string;
  pid: number;
  startedAt: string;
  /** The shared state's Redis (no credentials), when there is one. */
  redis?: string;
  /** Functions run as separate processes (CORTEX_REPLICAS): each replica's own address and pid. */
  replicas?: Record<string, Array<{ url: string; pid: number }>>;
}

export const stateFile = (dir: string): string => path.resolve(dir, 'local.json');

export async function writeState(dir: string, state: LocalState): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = stateFile(dir);
  // The operator token is a credential: readable by this user only.
  await writeFile(file, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  return file;
}

export async function removeState(dir: string): Promise<void> {
  await rm(stateFile(dir), { force: true });
}
