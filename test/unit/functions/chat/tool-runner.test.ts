import type { ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { HealingOutcome, HealingWatch } from '../../../../functions/chat/healing-wait.js';
import type { CallOutcome, McpPool, ToolRef } from '../../../../functions/chat/mcp-pool.js';
import type { McpFailure } from '../../../../shared/mcp/failures.js';
import { runTool, type ToolRunnerDeps } from '../../../../functions/chat/tool-runner.js';
import { createLogger } from '../../../../shared/runtime/logging.js';

const server = { name: 'demo', url: 'http://mcp-demo.demo.svc/mcp', target: { namespace: 'demo', service: 'mcp-demo' } };
const ref: ToolRef = { name: 'demo__get_service_status', server, tool: 'get_service_status' };
const use: ToolUseBlock = {
  type: 'tool_use',
  id: 'toolu_1',
  name: ref.name,
  input: {},
  caller: { type: 'direct' }
} as ToolUseBlock;
const ok = (text: string): CallOutcome => ({ content: [{ type: 'text', text }], isError: false });
const refused = (): Error =>
  new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });

/** A runner whose pool answers from a script (an outcome, or an error to throw), one entry per call. */
function setup(
  script: (CallOutcome | Error)[],
  opts: { outcome?: HealingOutcome; reported?: boolean; relay?: boolean } = {}
) {
  const log: string[] = [];
  const emitted: { event: string; data: Record<string, unknown> }[] = [];
  const reports: McpFailure[] = [];
  const pool: McpPool = {
    tools: async () => ({ tools: [], refs: new Map(), unavailable: [] }),
    relist: async () => undefined,
    warmUp: () => undefined,
    async call() {
      log.push('call');
      const next = script.shift();
      if (!next) throw new Error('script exhausted');
      if (next instanceof Error) throw next;
      return next;
    },
    reconnect: async (name) => void log.push(`reconnect ${name}`),
    close: async () => undefined
  };
  const watch: ToolRunnerDeps['watch'] = async (_ref, onEvent) => {
    log.push('watch');
    const w: HealingWatch = {
      async outcome() {
        const outcome = opts.outcome ?? { kind: 'timeout', waitedMs: 100 };
        if (outcome.kind === 'complete') onEvent('healing_complete', outcome.data);
        if (outcome.kind === 'failed') onEvent('healing_failed', outcome.data);
        return outcome;
      },
      close: () => void log.push('close watch')
    };
    return w;
  };
  const deps: ToolRunnerDeps = {
    pool,
    refs: new Map([[ref.name, ref]]),
    emit: (event, data) => void emitted.push({ event, data: data as Record<string, unknown> }),
    async report(failure) {
      log.push('report');
      reports.push(failure);
      return opts.reported ?? true;
    },
    watch: opts.relay === false ? undefined : watch,
    healingWaitMs: 100,
    log: createLogger({ name: 'test', level: 'silent' }),
    signal: new AbortController().signal
  };
  return { deps, log, emitted, reports };
}

const textOf = (r: { content?: unknown }): string => (r.content as { text: string }[]).map((b) => b.text).join('\n\n');

describe('Function: chat tool runner', () => {
  it('a successful call: tool_call, tool_result and the text for Claude', async () => {
    // Prepare
    const { deps, emitted, reports } = setup([ok('{"status":"ok"}')]);
    // Act
    const result = await runTool(use, deps);
    // Assess
    expect(emitted.map((e) => e.event)).toEqual(['tool_call', 'tool_result']);
    expect(emitted[1]!.data).toEqual({
      id: 'toolu_1',
      name: 'get_service_status',
      server: 'demo',
      isError: false,
      content: '{"status":"ok"}'
    });
    expect(result).toEqual({
      type: 'tool_result',
      tool_use_id: 'toolu_1',
      content: [{ type: 'text', text: '{"status":"ok"}' }]
    });
    expect(reports).toEqual([]);
  });

  it('a tool error caused by bad arguments is handed to Claude, not reported', async () => {
    // Prepare
    const invalid = { content: [{ type: 'text', text: 'MCP error -32602: Input validation error' }], isError: true };
    const { deps, log } = setup([invalid]);
    // Act
    const result = await runTool(use, deps);
    // Assess
    expect(result.is_error).toBe(true);
    expect(textOf(result)).toBe('MCP error -32602: Input validation error');
    expect(log).toEqual(['call']);
  });

  it('unreachable: watches before it reports, retries once after healing_complete on a fresh connection', async () => {
    // Prepare
    const outcome: HealingOutcome = { kind: 'complete', data: { message: 'scaled mcp-demo to 1', target: server.target } };
    const { deps, log, emitted, reports } = setup([refused(), ok('{"status":"ok"}')], { outcome });
    // Act
    const result = await runTool(use, deps);
    // Assess
    expect(log).toEqual(['call', 'watch', 'report', 'close watch', 'reconnect demo', 'call']);
    expect(reports[0]).toMatchObject({ category: 'mcp_unreachable', errorCode: 'ECONNREFUSED', workload: true });
    expect(emitted.map((e) => e.event)).toEqual(['tool_call', 'tool_result', 'healing_complete', 'tool_result']);
    expect(emitted[3]!.data).toMatchObject({ isError: false, retried: true, content: '{"status":"ok"}' });
    expect(result.is_error).toBeUndefined();
    expect(textOf(result)).toMatch(
      /^\{"status":"ok"\}\n\n\(This call failed first \(mcp_unreachable\); Cortex healed mcp-demo: scaled mcp-demo to 1/
    );
  });

  it('a retry that fails again after the healing is an error for Claude, and is not reported twice', async () => {
    // Prepare
    const outcome: HealingOutcome = { kind: 'complete', data: { message: 'restarted pods' } };
    const { deps, reports, emitted } = setup(
      [new McpError(-32001, 'Request timed out'), new McpError(-32001, 'Request timed out')],
      { outcome }
    );
    // Act
    const result = await runTool(use, deps);
    // Assess
    expect(reports.map((r) => r.category)).toEqual(['mcp_timeout']);
    expect(emitted.at(-1)!.data).toMatchObject({ isError: true, retried: true });
    expect(textOf(result)).toContain('failed again after Cortex healed mcp-demo (restarted pods)');
  });

  it('healing_failed: Claude gets the reason and the manual steps', async () => {
    // Prepare
    const outcome: HealingOutcome = {
      kind: 'failed',
      data: { message: 'OOMKilled', manualSteps: ['Raise the memory limit to 256Mi'] }
    };
    const { deps, log } = setup([refused()], { outcome });
    // Act
    const result = await runTool(use, deps);
    // Assess
    expect(result.is_error).toBe(true);
    expect(textOf(result)).toContain(
      'Cortex self-healing tried to fix demo/mcp-demo but could not: OOMKilled.\nManual steps:\n- Raise the memory limit to 256Mi'
    );
    expect(log).not.toContain('reconnect demo');
  });

  it('a report that cannot be published: no wait, Claude is told', async () => {
    // Prepare
    const { deps, log } = setup([refused()], { reported: false });
    // Act
    const result = await runTool(use, deps);
    // Assess
    expect(textOf(result)).toContain('the failure could not be reported for healing');
    expect(log).toEqual(['call', 'watch', 'report', 'close watch']);
  });

  it('without a relay the failure is still reported', async () => {
    // Prepare
    const { deps, log } = setup([refused()], { relay: false });
    // Act
    const result = await runTool(use, deps);
    // Assess
    expect(log).toEqual(['call', 'report']);
    expect(textOf(result)).toContain('its progress cannot be followed from here');
  });

  it('an unknown tool name is an error for Claude', async () => {
    // Prepare
    const { deps, log } = setup([]);
    // Act
    const result = await runTool({ ...use, name: 'demo__nope' }, deps);
    // Assess
    expect(result.is_error).toBe(true);
    expect(textOf(result)).toBe('There is no tool named demo__nope.');
    expect(log).toEqual([]);
  });
});
