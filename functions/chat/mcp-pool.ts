import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Tool as ClaudeTool } from '@anthropic-ai/sdk/resources/messages';
import type { McpServerConfig } from '../../shared/runtime/config.js';
import type { Logger } from '../../shared/runtime/logging.js';
import { classifyMcpError, type McpFailure } from '../../shared/mcp/failures.js';

/*
 * One MCP client per configured server (Streamable HTTP). Tool lists are cached: a server that was listed once keeps
 * offering its tools while it is down, so a call fails, gets reported and the server gets healed. A server that was
 * down at start is listed lazily, at most once per RELIST_MS, so the chat starts (and answers) with every server down.
 */

/** Where a tool Claude may call lives. */
export interface ToolRef {
  readonly name: string;
  readonly server: McpServerConfig;
  readonly tool: string;
}

export interface ToolSet {
  readonly tools: ClaudeTool[];
  readonly refs: ReadonlyMap<string, ToolRef>;
  /** Servers never listed so far whose last listing failed: their tools cannot be offered yet. */
  readonly unavailable: ReadonlyArray<{ server: McpServerConfig; failure: McpFailure }>;
}

export interface CallOutcome {
  readonly content: unknown;
  readonly isError: boolean;
}

export interface McpPool {
  /** The tools of every server listed so far, named `<server>__<tool>`. */
  tools(): Promise<ToolSet>;
  /** Lists one server now (after a healing gave it back), whatever the relist interval says. */
  relist(server: string): Promise<void>;
  /** Keeps listing the servers not listed yet, every `everyMs`, until all are or `forMs` has passed. */
  warmUp(everyMs: number, forMs: number): void;
  /** Calls a tool; throws (connect failures, timeouts, HTTP errors) as the MCP SDK does. */
  call(ref: ToolRef, input: Record<string, unknown>, signal?: AbortSignal): Promise<CallOutcome>;
  /** Drops a server's client, so the next call connects afresh (after a healing restarted its pods). */
  reconnect(server: string): Promise<void>;
  close(): Promise<void>;
}

export interface McpPoolDeps {
  servers: readonly McpServerConfig[];
  callTimeoutMs: number;
  listTimeoutMs: number;
  fetch: typeof globalThis.fetch;
  log: Logger;
  now: () => number;
}

const RELIST_MS = 5_000;
const CLIENT_INFO = { name: 'cortex-chat', version: '1.0.0' };

interface Entry {
  readonly config: McpServerConfig;
  client?: Promise<Client>;
  tools?: ClaudeTool[];
  refs?: ToolRef[];
  lastListMs?: number;
  listing?: Promise<void>;
  failure?: McpFailure;
}

/** `<server>__<tool>`, in the character set the Messages API allows for tool names. */
export function claudeToolName(server: string, tool: string): string {
  return `${server}__${tool}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 128);
}

/**
 * @example
 * const pool = createMcpPool({ servers: config.mcp.servers, callTimeoutMs: 15000, listTimeoutMs: 5000, fetch, log, now });
 * const { tools, refs } = await pool.tools();
 */
export function createMcpPool(deps: McpPoolDeps): McpPool {
  const { log } = deps;
  const entries = new Map(deps.servers.map((config) => [config.name, { config } as Entry]));

  const connect = (entry: Entry): Promise<Client> => {
    if (entry.client) return entry.client;
    const client = new Client(CLIENT_INFO);
    const transport = new StreamableHTTPClientTransport(new URL(entry.config.url), { fetch: deps.fetch });
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

  const listOnce = async (entry: Entry): Promise<void> => {
    entry.lastListMs = deps.now();
    try {
      const client = await connect(entry);
      const { tools } = await client.listTools(undefined, { timeout: deps.listTimeoutMs });
      const refs = tools.map((t) => ({
        name: claudeToolName(entry.config.name, t.name),
        server: entry.config,
        tool: t.name
      }));
      entry.refs = refs;
      entry.tools = tools.map((t, i) => ({
        name: refs[i]!.name,
        description: t.description ?? t.title ?? t.name,
        input_schema: { ...t.inputSchema, type: 'object' } as ClaudeTool['input_schema']
      }));
      entry.failure = undefined;
      log.info({ server: entry.config.name, tools: tools.map((t) => t.name) }, 'MCP tools listed');
    } catch (err) {
      entry.failure = classifyMcpError(err);
      log.warn(
        { err, server: entry.config.name, url: entry.config.url },
        'MCP server not available; its tools are listed later'
      );
      await drop(entry);
    }
  };

  return {
    async tools() {
      // Listings in flight (the one started at boot) are awaited, so the first message already sees every tool.
      const due = [...entries.values()].filter(
        (e) => e.listing || (!e.tools && (e.lastListMs === undefined || deps.now() - e.lastListMs >= RELIST_MS))
      );
      await Promise.all(due.map(list));
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
        const missing = [...entries.values()].filter((e) => !e.tools);
        if (missing.length === 0 || deps.now() >= until) return;
        void Promise.all(missing.map(list)).then(() => {
          const timer = setTimeout(round, everyMs);
          timer.unref();
        });
      };
      round();
    },

    async call(ref, input, signal) {
      const entry = entries.get(ref.server.name);
      if (!entry) throw new Error(`unknown MCP server ${ref.server.name}`);
      const once = async (): Promise<CallOutcome> => {
        const client = await connect(entry);
        const result = await client.callTool({ name: ref.tool, arguments: input }, undefined, {
          timeout: deps.callTimeoutMs,
          signal
        });
        return { content: result.content, isError: result.isError === true };
      };
      try {
        return await once();
      } catch (err) {
        // A stateful server that restarted no longer knows our MCP session (404): start a new one and try again.
        if (!(err instanceof StreamableHTTPError && err.code === 404)) throw err;
        log.info({ server: ref.server.name }, 'MCP session lost; reconnecting');
        await drop(entry);
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
