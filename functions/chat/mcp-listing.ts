import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import type { Tool as ClaudeTool } from '@anthropic-ai/sdk/resources/messages';
import type { McpServerConfig } from '../../shared/runtime/config.js';
import { normaliseInputSchema } from './tool-schema.js';

/*
 * A server's tools as Claude gets them. `tools/list` is paged (`nextCursor`): every page is read, so a server with
 * many tools keeps all of them. Each tool becomes `<server>__<tool>`, its input schema normalised to what the API
 * accepts. Tools that cannot be offered are left out with the reason: an input schema the API cannot take, and
 * tools that must run as MCP tasks (`execution.taskSupport: required`), which this chat does not drive.
 */

/** Where a tool Claude may call lives. */
export interface ToolRef {
  readonly name: string;
  readonly server: McpServerConfig;
  readonly tool: string;
}

export interface Listed {
  readonly tools: ClaudeTool[];
  readonly refs: ToolRef[];
  /** Tools left out, with why. */
  readonly skipped: ReadonlyArray<{ tool: string; reason: string }>;
}

/** A server that keeps answering with new cursors is cut off here. */
const MAX_PAGES = 100;

/** `<server>__<tool>`, in the character set the Messages API allows for tool names. */
export function claudeToolName(server: string, tool: string): string {
  return `${server}__${tool}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 128);
}

/** Every page of `tools/list`. */
export async function listAllTools(client: Client, timeoutMs: number): Promise<McpTool[]> {
  const tools: McpTool[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await client.listTools(cursor === undefined ? undefined : { cursor }, { timeout: timeoutMs });
    tools.push(...result.tools);
    cursor = result.nextCursor;
    if (!cursor || seen.has(cursor)) break;
    seen.add(cursor);
  }
  return tools;
}

/**
 * The Claude tools for one server's MCP tools.
 *
 * @example
 * const { tools, refs, skipped } = toClaudeTools(server, await listAllTools(client, 5000));
 */
export function toClaudeTools(server: McpServerConfig, mcpTools: readonly McpTool[]): Listed {
  const tools: ClaudeTool[] = [];
  const refs: ToolRef[] = [];
  const skipped: Array<{ tool: string; reason: string }> = [];
  for (const t of mcpTools) {
    if (t.execution?.taskSupport === 'required') {
      skipped.push({ tool: t.name, reason: 'it only runs as an MCP task, which this chat does not drive' });
      continue;
    }
    const schema = normaliseInputSchema(t.inputSchema);
    if (!schema.ok) {
      skipped.push({ tool: t.name, reason: schema.reason });
      continue;
    }
    const name = claudeToolName(server.name, t.name);
    const description = [t.description ?? t.title ?? t.name, schema.note].filter(Boolean).join(' ');
    tools.push({ name, description, input_schema: schema.schema as ClaudeTool['input_schema'] });
    refs.push({ name, server, tool: t.name });
  }
  return { tools, refs, skipped };
}
