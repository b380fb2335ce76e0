import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { classifyMcpError, classifyToolResult, type McpFailure } from '../../shared/mcp/failures.js';

/** One call of the demo server's status tool through its Service, the way the chat would call it. */
export async function probeMcp(url: string, timeoutMs: number): Promise<McpFailure | undefined> {
  const client = new Client({ name: 'cortex-local-prober', version: '1.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(url)), { timeout: timeoutMs });
    const result = await client.callTool({ name: 'get_service_status', arguments: {} }, undefined, { timeout: timeoutMs });
    return classifyToolResult(result as { isError?: unknown; content?: unknown });
  } catch (err) {
    return classifyMcpError(err);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Probes until the call fails or `withinMs` passes: an injected fault takes a moment to show (pods crash, endpoints empty). */
export async function probeUntilFailure(
  url: string,
  opts: { withinMs: number; everyMs: number; timeoutMs: number }
): Promise<McpFailure | undefined> {
  const end = Date.now() + opts.withinMs;
  for (;;) {
    const failure = await probeMcp(url, opts.timeoutMs);
    if (failure?.workload || Date.now() >= end) return failure;
    await new Promise((r) => setTimeout(r, opts.everyMs));
  }
}
