import { readFile } from 'node:fs/promises';
import type { Config } from '../shared/runtime/config.js';
import { stateFile, type LocalState } from '../local/stack/state-file.js';
import { UsageError } from './io.js';

/*
 * Where the CLI talks to when no flag says: a flag wins, then the environment (through the runtime configuration:
 * K_SINK, CORTEX_RELAY_URL, CORTEX_OPERATOR_TOKEN), then the running local stack's `.cortex/local.json`.
 */

export interface Endpoints {
  /** Broker ingress URL (binary-mode CloudEvents are POSTed here). */
  broker(flag: string | undefined): string;
  /** Base URL of the SSE relay (the local front door, or the sse-relay Service). */
  relay(flag: string | undefined): string;
  operatorToken(flag: string | undefined): string;
  /**
   * What events sent to the broker carry as `Authorization: Bearer` when its Eventing checks OIDC tokens:
   * CORTEX_EVENT_TOKEN (e.g. `kubectl create token cortex-operator …`), else the local stack's operator token file.
   */
  eventToken(): Promise<string | undefined>;
  /** Base URL of the approvals function (the local front door, or the approvals Service). */
  approvals(flag: string | undefined): string;
}

async function readLocalState(dir: string): Promise<{ file: string; state: LocalState | undefined }> {
  const file = stateFile(dir);
  try {
    return { file, state: JSON.parse(await readFile(file, 'utf8')) as LocalState };
  } catch {
    return { file, state: undefined };
  }
}

function url(command: string, what: string, value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    return value;
  } catch {
    throw new UsageError(`${what} must be an http(s) URL, got "${value}"`, command);
  }
}

/**
 * @example
 * const endpoints = await resolveEndpoints('replay', loadConfig());
 * const to = endpoints.broker(flags.to);
 */
export async function resolveEndpoints(command: string, config: Config): Promise<Endpoints> {
  const { file, state } = await readLocalState(config.local.stateDir);
  const missing = (what: string, flag: string, env: string): UsageError =>
    new UsageError(
      `no ${what}: pass ${flag}, set ${env}, or start the local stack (npm start) so that ${file} exists`,
      command
    );
  return {
    broker(flag) {
      const v = flag ?? config.sink ?? state?.broker;
      if (!v) throw missing('broker URL', '--to <broker-url>', 'K_SINK');
      return url(command, 'the broker URL', v);
    },
    relay(flag) {
      const v = flag ?? config.relay.url ?? state?.frontDoor;
      if (!v) throw missing('relay URL', '--relay <url>', 'CORTEX_RELAY_URL');
      return url(command, 'the relay URL', v).replace(/\/+$/, '');
    },
    approvals(flag) {
      const v = flag ?? config.approvalsUrl ?? state?.frontDoor;
      if (!v) throw missing('approvals URL', '--url <url>', 'CORTEX_APPROVALS_URL');
      return url(command, 'the approvals URL', v).replace(/\/+$/, '');
    },
    operatorToken(flag) {
      const v = flag ?? config.operatorToken ?? state?.operatorToken;
      if (!v) throw missing('operator token', '--token <token>', 'CORTEX_OPERATOR_TOKEN');
      return v;
    },
    async eventToken() {
      if (config.security.eventToken) return config.security.eventToken;
      if (!state?.eventTokenFile) return undefined;
      return (await readFile(state.eventTokenFile, 'utf8').catch(() => '')).trim() || undefined;
    }
  };
}
