import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { OAuthError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ErrorCategory } from '../events/schemas.js';

/*
 * What a failed MCP tool call means. An MCP call fails through two channels (MCP SDK 1.32.2): it throws (transport
 * failures, our timeout, protocol errors), or it resolves with `isError: true` (the tool ran and said no).
 *
 * `workload: true` marks failures that point at the Kubernetes workload serving the tool, so they are reported with
 * its target and healed: unreachable (refused, reset, DNS), timeouts, HTTP 5xx, a closed connection, and a JSON-RPC
 * "internal error" (-32603). A plain `isError` result is not: the SDK turns invalid arguments (-32602), unknown
 * tools and every exception a tool handler throws into isError, and a restart would not change any of those. A tool
 * whose own backend fails says so in its result text, and Claude explains it; healing the MCP server would not help.
 *
 * Two more are not workload failures: a server that refuses our credentials (401/403, an OAuth error from its
 * authorization server) needs its configuration fixed, not a restart (`mcp_unauthorized`, never reported); and a
 * tool call that times out after the server reported progress was working, only slowly.
 */

export type McpCategory = Extract<ErrorCategory, `mcp_${string}`>;

export interface McpFailure {
  /** `mcp_unauthorized` is the chat's own: it is never reported, so it needs no place in the event catalog. */
  readonly category: McpCategory | 'mcp_unauthorized';
  readonly workload: boolean;
  readonly message: string;
  readonly httpStatus?: number;
  /** A Node/undici error code (ECONNREFUSED) or a JSON-RPC error code (-32001). */
  readonly errorCode?: string;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED'
]);
const TIMEOUT = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The first string `code` along the cause chain (undici puts it on `cause`). */
function networkCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 2000);

/**
 * Classifies an error thrown by `Client.connect`, `listTools` or `callTool`.
 *
 * @example
 * classifyMcpError(new McpError(-32001, 'Request timed out')); // { category: 'mcp_timeout', workload: true, … }
 */
export function classifyMcpError(err: unknown, opts: { progressed?: boolean } = {}): McpFailure {
  const message = messageOf(err);
  if (err instanceof UnauthorizedError || err instanceof OAuthError) {
    return { category: 'mcp_unauthorized', workload: false, message: `authorization failed: ${message}` };
  }
  if (err instanceof McpError) {
    const errorCode = String(err.code);
    if (err.code === ErrorCode.RequestTimeout) {
      if (opts.progressed) {
        return {
          category: 'mcp_timeout',
          workload: false,
          message: `${message} (the tool was still reporting progress: it is slow, not down)`,
          errorCode
        };
      }
      return { category: 'mcp_timeout', workload: true, message, errorCode };
    }
    if (err.code === ErrorCode.ConnectionClosed) return { category: 'mcp_unreachable', workload: true, message, errorCode };
    return { category: 'mcp_tool_error', workload: err.code === ErrorCode.InternalError, message, errorCode };
  }
  if (err instanceof StreamableHTTPError) {
    const status = typeof err.code === 'number' && err.code >= 100 && err.code <= 599 ? err.code : undefined;
    if (status === 401 || status === 403) {
      return {
        category: 'mcp_unauthorized',
        workload: false,
        message: `authorization failed (HTTP ${status}): ${message}`,
        httpStatus: status
      };
    }
    return {
      category: 'mcp_http_error',
      workload: status !== undefined && status >= 500,
      message,
      ...(status ? { httpStatus: status } : {})
    };
  }
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return { category: 'mcp_timeout', workload: true, message, errorCode: err.name };
  }
  const code = networkCode(err);
  if (code && TIMEOUT.has(code))
    return { category: 'mcp_timeout', workload: true, message: `${message} (${code})`, errorCode: code };
  if ((code && UNREACHABLE.has(code)) || /fetch failed|terminated|other side closed|socket hang up/i.test(message)) {
    return {
      category: 'mcp_unreachable',
      workload: true,
      message: code ? `${message} (${code})` : message,
      ...(code ? { errorCode: code } : {})
    };
  }
  return { category: 'mcp_http_error', workload: false, message, ...(code ? { errorCode: code } : {}) };
}

/** The text of a tool result's text blocks. */
export function resultText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content
    .map((c: { type?: unknown; text?: unknown }) =>
      c?.type === 'text' && typeof c.text === 'string' ? c.text : `[${String(c?.type)}]`
    )
    .join('\n');
}

/** A failure error.reported can carry: a workload failure in one of the catalog's categories. */
export type ReportableFailure = McpFailure & { category: McpCategory };

export function isReportable(failure: McpFailure): failure is ReportableFailure {
  return failure.workload && failure.category !== 'mcp_unauthorized';
}

/** A result with `isError: true` is a tool error; only a JSON-RPC internal error in it points at the workload. */
export function classifyToolResult(result: { isError?: unknown; content?: unknown }): McpFailure | undefined {
  if (result.isError !== true) return undefined;
  const message = resultText(result.content).slice(0, 2000) || 'the tool reported an error without text';
  const internal = message.includes(`MCP error ${ErrorCode.InternalError}`);
  return {
    category: 'mcp_tool_error',
    workload: internal,
    message,
    ...(internal ? { errorCode: String(ErrorCode.InternalError) } : {})
  };
}
