import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { Tool as ClaudeTool } from '@anthropic-ai/sdk/resources/messages';
import type { McpServerConfig } from '../../shared/runtime/config.js';
import type { Logger } from '../../shared/runtime/logging.js';
import { mcpAuthProvider, mcpTransport } from './mcp-connect.js';
import { classifyMcpError, type McpFailure } from '../../shared/mcp/failures.js';
import { listAllTools, toClaudeTools, type ToolRef } from './mcp-listing.js';

export { claudeToolName, type ToolRef } from './mcp-listing.js';

/*
 * One MCP client per configured server (Streamable HTTP). Tool lists are cached: a server that was listed once keeps
 * offering its tools while it is down, so a call fails, gets reported and the server gets healed. A server that
 * announces `tools.listChanged` is listed again after its `notifications/tools/list_changed`. A server that was
 * down at start is listed lazily, at most once per RELIST_MS, so the chat starts (and answers) with every server down.
 * A server that refuses us for a reason a restart does not fix (credentials, another 4xx) is retried less and less
 * often, up to every MAX_RELIST_MS, and said so once in the log, not every few seconds.
 */

export interface ToolSet {
  readonly tools: ClaudeTool[];
  readonly refs: ReadonlyMap<string, ToolRef>;
  /** Servers never listed so far whose last listing failed: their tools cannot be offered yet. */
  readonly unavailable: ReadonlyArray<{ server: McpServerConfig; failure: McpFailure }>;
}

export interface CallOutcome {
  readonly content: unknown;
  readonly structuredContent?: unknown;
  readonly isError: boolean;
}

export interface ToolProgress {
  progress: number;
  total?: number;
  message?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Each `notifications/progress` of the call; progress also starts the call's timeout again. */
  onProgress?: (progress: ToolProgress) => void;
}

export interface McpPool {
  /** The tools of every server listed so far, named `<server>__<tool>`. */
  tools(): Promise<ToolSet>;
  /** Lists one server now (after a healing gave it back), whatever the relist interval says. */
  relist(server: string): Promise<void>;
  /** Keeps listing the servers not listed yet, every `everyMs`, until all are or `forMs` has passed. */
  warmUp(everyMs: number, forMs: number): void;
  /** Calls a tool; throws (connect failures, timeouts, HTTP errors) as the MCP SDK does. */
  call(ref: ToolRef, input: Record<string, unknown>, opts?: CallOptions): Promise<CallOutcome>;
  /** Drops a server's client, so the next call connects afresh (after a healing restarted its pods). */
  reconnect(server: string): Promise<void>;
  close(): Promise<void>;
}

export interface McpPoolDeps {
  servers: readonly McpServerConfig[];
  /** A call's timeout, started again by every progress notification. */
  callTimeoutMs: number;
  /** A call's limit, progress or not; defaults to 20 × callTimeoutMs. */
  callMaxMs?: number;
  listTimeoutMs: number;
  fetch: typeof globalThis.fetch;
  log: Logger;
  now: () => number;
}

const RELIST_MS = 5_000;
const MAX_RELIST_MS = 5 * 60_000;
const LIST_CHANGED_DEBOUNCE_MS = 100;
const CLIENT_INFO = { name: 'cortex-chat', version: '1.0.0' };

interface Entry {
  readonly config: McpServerConfig;
  readonly auth: OAuthClientProvider | undefined;
  client?: Promise<Client>;
  tools?: ClaudeTool[];
  refs?: ToolRef[];
  lastListMs?: number;
  /** Wait before listing again after a failure a restart does not fix; doubles each time. */
  backoffMs?: number;
  listing?: Promise<void>;
  failure?: McpFailure;
  /** The server said its tool list changed: list it again before the next use. */
  stale?: boolean;
}

/**
 * The server does not know our MCP session: 404 as the spec says, or the 400 "No valid session ID" that servers
 * built from the SDK's examples answer (server-everything among them).
 */
export function sessionLost(err: unknown): boolean {
  if (!(err instanceof StreamableHTTPError)) return false;
  return err.code === 404 || (err.code === 400 && /session/i.test(err.message));
}

/**
 * @example
 * const pool = createMcpPool({ servers: config.mcp.servers, callTimeoutMs: 15000, listTimeoutMs: 5000, fetch, log, now });
 * const { tools, refs } = await pool.tools();
 */
export function createMcpPool(deps: McpPoolDeps): McpPool {
  const { log } = deps;
  const entries = new Map(deps.servers.map((config) => [config.name, { config, auth: mcpAuthProvider(config) } as Entry]));

  const connect = (entry: Entry): Promise<Client> => {
    if (entry.client) return entry.client;
    const client = new Client(CLIENT_INFO, {
      listChanged: {
        tools: {
          autoRefresh: false,
          debounceMs: LIST_CHANGED_DEBOUNCE_MS,
          onChanged: () => {
            log.info({ server: entry.config.name }, 'MCP tool list changed; listing it again');
            entry.stale = true;
          }
        }
      }
    });
    const transport = mcpTransport(entry.config, deps.fetch, entry.auth);
    const connecting = client.connect(transport, { timeout: deps.listTimeoutMs }).then(() => client);
    entry.client = connecting;
    // A failed connect leaves nothing behind: the next call tries again.
    connecting.catch(() => {
      if (entry.client === connecting) entry.client = undefined;
      void client.close().catch(() => undefined);
    });
    return connecting;
  };

  const drop = async (entry: Entry): Promise<void> => {
    const client = entry.client;
    entry.client = undefined;
    await client?.then((c) => c.close()).catch(() => undefined);
  };

  const list = (entry: Entry): Promise<void> =>
    (entry.listing ??= listOnce(entry).finally(() => {
      entry.listing = undefined;
    }));

  const noteFailure = (entry: Entry, failure: McpFailure, err: unknown): void => {
    const again = entry.failure?.message === failure.message;
    entry.failure = failure;
    entry.backoffMs = failure.workload ? undefined : Math.min(MAX_RELIST_MS, (entry.backoffMs ?? RELIST_MS / 2) * 2);
    const where = { server: entry.config.name, url: entry.config.url, category: failure.category };
    if (again) return log.debug({ ...where, retryInMs: entry.backoffMs }, 'MCP server still not available');
    if (failure.category === 'mcp_unauthorized') {
      log.error({ ...where, err }, 'MCP server refused our credentials; its tools stay unavailable until they are fixed');
    } else log.warn({ ...where, err }, 'MCP server not available; its tools are listed later');
  };

  const listOnce = async (entry: Entry): Promise<void> => {
    entry.lastListMs = deps.now();
    entry.stale = false;
    try {
      const client = await connect(entry);
      const listed = toClaudeTools(entry.config, await listAllTools(client, deps.listTimeoutMs));
      for (const { tool, reason } of listed.skipped) {
        log.warn({ server: entry.config.name, tool }, `MCP tool left out: ${reason}`);
      }
      entry.tools = listed.tools;
      entry.refs = listed.refs;
      entry.failure = undefined;
      entry.backoffMs = undefined;
      log.info({ server: entry.config.name, tools: listed.refs.map((r) => r.tool) }, 'MCP tools listed');
    } catch (err) {
      noteFailure(entry, classifyMcpError(err), err);
      await drop(entry);
    }
  };

  const due = (e: Entry): boolean => {
    if (e.listing || e.stale) return true;
    if (e.tools) return false;
    return e.lastListMs === undefined || deps.now() - e.lastListMs >= (e.backoffMs ?? RELIST_MS);
  };

  return {
    async tools() {
      // Listings in flight (the one started at boot) are awaited, so the first message already sees every tool.
      await Promise.all([...entries.values()].filter(due).map(list));
      const tools: ClaudeTool[] = [];
      const refs = new Map<string, ToolRef>();
      for (const entry of entries.values()) {
        entry.tools?.forEach((tool, i) => {
          if (refs.has(tool.name)) return log.warn({ tool: tool.name }, 'duplicate tool name; the first server keeps it');
          refs.set(tool.name, entry.refs![i]!);
          tools.push(tool);
        });
      }
      const unavailable = [...entries.values()].flatMap((e) =>
        !e.tools && e.failure ? [{ server: e.config, failure: e.failure }] : []
      );
      return { tools, refs, unavailable };
    },

    async relist(server) {
      const entry = entries.get(server);
      if (entry) await list(entry);
    },

    warmUp(everyMs, forMs) {
      const until = deps.now() + forMs;
      const round = (): void => {
        const missing = [...entries.values()].filter((e) => !e.tools && due(e));
        if (![...entries.values()].some((e) => !e.tools) || deps.now() >= until) return;
        void Promise.all(missing.map(list)).then(() => {
          const timer = setTimeout(round, everyMs);
          timer.unref();
        });
      };
      round();
    },

    async call(ref, input, opts = {}) {
      const entry = entries.get(ref.server.name);
      if (!entry) throw new Error(`unknown MCP server ${ref.server.name}`);
      const once = async (): Promise<CallOutcome> => {
        const client = await connect(entry);
        const result = await client.callTool({ name: ref.tool, arguments: input }, undefined, {
          timeout: deps.callTimeoutMs,
          resetTimeoutOnProgress: true,
          maxTotalTimeout: deps.callMaxMs ?? deps.callTimeoutMs * 20,
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(opts.onProgress ? { onprogress: opts.onProgress } : {})
        });
        return { content: result.content, structuredContent: result.structuredContent, isError: result.isError === true };
      };
      try {
        return await once();
      } catch (err) {
        // A stateful server that restarted no longer knows our MCP session: start a new one and try again. The new
        // server may be a new version, so its tools are listed again too.
        if (!sessionLost(err)) throw err;
        log.info({ server: ref.server.name }, 'MCP session lost; reconnecting');
        await drop(entry);
        entry.stale = true;
        return once();
      }
    },

    async reconnect(server) {
      const entry = entries.get(server);
      if (entry) await drop(entry);
    },

    async close() {
      await Promise.all([...entries.values()].map(drop));
    }
  };
}
