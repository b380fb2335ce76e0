import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { InvalidClientError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { classifyMcpError, classifyToolResult } from '../../../../shared/mcp/failures.js';

/** What undici's fetch throws for a network failure: TypeError('fetch failed') with the socket error as cause. */
const fetchFailed = (code: string): TypeError =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code}`), { code }) });
const text = (t: string) => [{ type: 'text', text: t }];

describe('Function: chat classifies MCP failures (both channels)', () => {
  it.each([
    ['connection refused', fetchFailed('ECONNREFUSED'), 'mcp_unreachable', true, undefined, 'ECONNREFUSED'],
    ['connection reset', fetchFailed('ECONNRESET'), 'mcp_unreachable', true, undefined, 'ECONNRESET'],
    ['DNS failure', fetchFailed('ENOTFOUND'), 'mcp_unreachable', true, undefined, 'ENOTFOUND'],
    ['a closed keep-alive socket', fetchFailed('UND_ERR_SOCKET'), 'mcp_unreachable', true, undefined, 'UND_ERR_SOCKET'],
    ['a connect timeout', fetchFailed('UND_ERR_CONNECT_TIMEOUT'), 'mcp_timeout', true, undefined, 'UND_ERR_CONNECT_TIMEOUT'],
    [
      'the SDK request timeout (-32001)',
      new McpError(-32001, 'Request timed out'),
      'mcp_timeout',
      true,
      undefined,
      '-32001'
    ],
    [
      'a closed MCP connection (-32000)',
      new McpError(-32000, 'Connection closed'),
      'mcp_unreachable',
      true,
      undefined,
      '-32000'
    ],
    [
      'an internal error thrown (-32603)',
      new McpError(-32603, 'Internal error'),
      'mcp_tool_error',
      true,
      undefined,
      '-32603'
    ],
    ['invalid params thrown (-32602)', new McpError(-32602, 'bad'), 'mcp_tool_error', false, undefined, '-32602'],
    [
      'HTTP 503 from the transport',
      new StreamableHTTPError(503, 'Error POSTing to endpoint: unavailable'),
      'mcp_http_error',
      true,
      503,
      undefined
    ],
    [
      'HTTP 500 from the transport',
      new StreamableHTTPError(500, 'Error POSTing to endpoint'),
      'mcp_http_error',
      true,
      500,
      undefined
    ],
    [
      'HTTP 404 from the transport',
      new StreamableHTTPError(404, 'Error POSTing to endpoint: not found'),
      'mcp_http_error',
      false,
      404,
      undefined
    ],
    ['HTTP 401 from the transport', new StreamableHTTPError(401, 'unauthorized'), 'mcp_unauthorized', false, 401, undefined],
    ['HTTP 403 from the transport', new StreamableHTTPError(403, 'forbidden'), 'mcp_unauthorized', false, 403, undefined],
    ['no token from the OAuth flow', new UnauthorizedError(), 'mcp_unauthorized', false, undefined, undefined],
    [
      'the authorization server refused our client',
      new InvalidClientError('Invalid client_secret'),
      'mcp_unauthorized',
      false,
      undefined,
      undefined
    ],
    [
      'an unexpected content type',
      new StreamableHTTPError(-1, 'Unexpected content type: text/html'),
      'mcp_http_error',
      false,
      undefined,
      undefined
    ],
    [
      'an abort signal timeout',
      new DOMException('The operation timed out.', 'TimeoutError'),
      'mcp_timeout',
      true,
      undefined,
      'TimeoutError'
    ],
    ['an unknown error', new Error('weird'), 'mcp_http_error', false, undefined, undefined]
  ])('thrown: %s', (_what, err, category, workload, httpStatus, errorCode) => {
    // Prepare
    const error: unknown = err;
    // Act
    const failure = classifyMcpError(error);
    // Assess
    expect(failure.category).toBe(category);
    expect(failure.workload).toBe(workload);
    expect(failure.httpStatus).toBe(httpStatus);
    expect(failure.errorCode).toBe(errorCode);
  });

  it('a timeout after the tool reported progress is slow work, not a workload fault', () => {
    // Prepare
    const timeout = new McpError(-32001, 'Request timed out');
    // Act
    const [silent, progressed] = [classifyMcpError(timeout), classifyMcpError(timeout, { progressed: true })];
    // Assess
    expect(silent).toMatchObject({ category: 'mcp_timeout', workload: true });
    expect(progressed).toMatchObject({ category: 'mcp_timeout', workload: false, errorCode: '-32001' });
    expect(progressed.message).toContain('still reporting progress');
  });

  it.each([
    ['invalid arguments', text('MCP error -32602: Input validation error: Invalid arguments for tool search_docs'), false],
    ['an unknown tool', text('MCP error -32602: Tool nope not found'), false],
    ['a handler exception', text('kaboom'), false],
    [
      "the tool's own backend failing",
      text('failed to list pods: the server is currently unable to handle the request'),
      false
    ],
    ['an internal error', text('MCP error -32603: Internal error'), true]
  ])('isError result: %s', (_what, content, workload) => {
    // Prepare
    const result = { isError: true, content };
    // Act
    const failure = classifyToolResult(result);
    // Assess
    expect(failure?.category).toBe('mcp_tool_error');
    expect(failure?.workload).toBe(workload);
    expect(failure?.message).toBe(content[0]!.text);
  });

  it('a result without isError is no failure', () => {
    // Prepare
    const result = { content: text('all good') };
    // Act
    const failure = classifyToolResult(result);
    // Assess
    expect(failure).toBeUndefined();
  });
});
