import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolSchema, type Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import type { Tool as ClaudeTool } from '@anthropic-ai/sdk/resources/messages';
import type { McpServerConfig } from '../../shared/runtime/config.js';
import { normaliseInputSchema } from './tool-schema.js';

/*
 * A server's tools as Claude gets them. `tools/list` is paged (`nextCursor`): every page is read, so a server with
 * many tools keeps all of them. Each tool becomes `<server>__<tool>`, its input schema normalised to what the API
 * accepts. Tools that cannot be offered are left out with the reason: an input schema the API cannot take, and
 * tools that must run as MCP tasks (`execution.taskSupport: required`), which this chat does not drive. A page the
 * SDK refuses as a whole because one tool breaks the MCP schema (an `inputSchema` of type "array") is read again
 * loosely, so that one tool is left out and not the server's every tool.
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

const LoosePage = z.looseObject({
  tools: z.array(z.looseObject({ name: z.string() })),
  nextCursor: z.string().optional()
});

export interface ListedPages {
  tools: McpTool[];
  /** Tools that break the MCP schema itself, with the reason. */
  invalid: Array<{ tool: string; reason: string }>;
}

const isSchemaError = (err: unknown): boolean =>
  err instanceof Error && (err.name === 'ZodError' || Array.isArray((err as { issues?: unknown }).issues));

/** One page: through the SDK (which validates and caches output schemas), or loosely when it refuses the page. */
async function page(
  client: Client,
  cursor: string | undefined,
  timeoutMs: number
): Promise<ListedPages & { next?: string }> {
  const params = cursor === undefined ? undefined : { cursor };
  try {
    const result = await client.listTools(params, { timeout: timeoutMs });
    return { tools: result.tools, invalid: [], ...(result.nextCursor ? { next: result.nextCursor } : {}) };
  } catch (err) {
    if (!isSchemaError(err)) throw err;
  }
  const loose = await client.request({ method: 'tools/list', ...(params ? { params } : {}) }, LoosePage, {
    timeout: timeoutMs
  });
  const out: ListedPages = { tools: [], invalid: [] };
  for (const raw of loose.tools) {
    const parsed = ToolSchema.safeParse(raw);
    if (parsed.success) out.tools.push(parsed.data);
    else out.invalid.push({ tool: raw.name, reason: `it breaks the MCP tool schema: ${z.prettifyError(parsed.error)}` });
  }
  return { ...out, ...(loose.nextCursor ? { next: loose.nextCursor } : {}) };
}

/** Every page of `tools/list`. */
export async function listAllTools(client: Client, timeoutMs: number): Promise<ListedPages> {
  const all: ListedPages = { tools: [], invalid: [] };
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const { tools, invalid, next } = await page(client, cursor, timeoutMs);
    all.tools.push(...tools);
    all.invalid.push(...invalid);
    if (!next || seen.has(next)) break;
    seen.add(next);
    cursor = next;
  }
  return all;
}

/**
 * The Claude tools for one server's MCP tools.
 *
 * @example
 * const { tools, refs, skipped } = toClaudeTools(server, await listAllTools(client, 5000));
 */
export function toClaudeTools(server: McpServerConfig, listed: ListedPages): Listed {
  const tools: ClaudeTool[] = [];
  const refs: ToolRef[] = [];
  const skipped: Array<{ tool: string; reason: string }> = [...listed.invalid];
  for (const t of listed.tools) {
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
