import type { ToolResultBlockParam, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import type { Logger } from '../../shared/runtime/logging.js';
import type { HealingEventName, HealingOutcome, HealingWatch } from './healing-wait.js';
import type { McpPool, ToolRef } from './mcp-pool.js';
import {
  classifyMcpError,
  classifyToolResult,
  isReportable,
  type McpFailure,
  type ReportableFailure
} from '../../shared/mcp/failures.js';
import { toolOutput, type ToolOutput } from './tool-content.js';

/*
 * One tool call Claude asked for, with self-healing: a failure that points at the MCP server's workload is reported
 * (error.reported with the server's Kubernetes target), the healing is awaited through the relay, and after
 * healing_complete the call is retried once on a fresh connection. Claude gets the real result, or an error it can
 * explain (the healing's reason and manual steps, or that it did not finish in time).
 */

export interface ToolRunnerDeps {
  pool: McpPool;
  refs: ReadonlyMap<string, ToolRef>;
  emit(event: string, data: unknown): void;
  /** Publishes error.reported for the failure; false when it could not be published. */
  report(failure: ReportableFailure, ref: ToolRef): Promise<boolean>;
  /** Opens the relay's session stream for the ref's target; undefined when no relay is configured. */
  watch:
    | ((ref: ToolRef, onEvent: (event: HealingEventName, data: Record<string, unknown>) => void) => Promise<HealingWatch>)
    | undefined;
  healingWaitMs: number;
  log: Logger;
  signal: AbortSignal;
}

type Attempt = { ok: true; output: ToolOutput } | { ok: false; failure: McpFailure };

const result = (id: string, content: string | ToolOutput, isError: boolean): ToolResultBlockParam => ({
  type: 'tool_result',
  tool_use_id: id,
  content: typeof content === 'string' ? [{ type: 'text', text: content || '(empty result)' }] : content.blocks,
  ...(isError ? { is_error: true } : {})
});

/** One call; progress the server reports is streamed to the user and keeps the call alive. */
async function attempt(
  deps: ToolRunnerDeps,
  ref: ToolRef,
  use: { id: string; input: Record<string, unknown> }
): Promise<Attempt> {
  let progressed = false;
  const onProgress = (p: { progress: number; total?: number; message?: string }): void => {
    progressed = true;
    deps.emit('tool_progress', { id: use.id, name: ref.tool, server: ref.server.name, ...p });
  };
  try {
    const outcome = await deps.pool.call(ref, use.input, { signal: deps.signal, onProgress });
    const failure = classifyToolResult(outcome);
    return failure ? { ok: false, failure } : { ok: true, output: toolOutput(outcome) };
  } catch (err) {
    return { ok: false, failure: classifyMcpError(err, { progressed }) };
  }
}

const steps = (data: Record<string, unknown>): string[] =>
  Array.isArray(data.manualSteps)
    ? data.manualSteps.map(String)
    : typeof data.recommendation === 'string'
      ? data.recommendation.split('\n').filter(Boolean)
      : [];

/** What Claude is told when the healing did not give the tool back. */
function unhealedText(ref: ToolRef, failure: McpFailure, outcome: HealingOutcome): string {
  const where = `${ref.server.target.namespace}/${ref.server.target.service}`;
  const head = `The tool ${ref.tool} on MCP server "${ref.server.name}" failed (${failure.category}): ${failure.message}.`;
  switch (outcome.kind) {
    case 'failed': {
      const manual = steps(outcome.data);
      const reason = String(outcome.data.message ?? outcome.data.reason ?? 'no reason given');
      return `${head} Cortex self-healing tried to fix ${where} but could not: ${reason}.${manual.length ? `\nManual steps:\n${manual.map((s) => `- ${s}`).join('\n')}` : ''}`;
    }
    case 'timeout':
      return `${head} Cortex self-healing of ${where} did not finish in time (waited ${Math.round(outcome.waitedMs / 1000)} s); the service may still be recovering.`;
    case 'unavailable':
      return `${head} The failure was reported for healing, but its progress could not be followed (${outcome.reason}).`;
    default:
      return head;
  }
}

export type Followed = { reported: false } | { reported: true; outcome: HealingOutcome | undefined };

/**
 * Reports a workload failure of an MCP server (error.reported with its Kubernetes target) and follows the healing
 * through the relay until its outcome, streaming the healing events to the user. The relay stream is opened BEFORE
 * the report, so no event of the healing can slip by in between. `outcome` is undefined when there is no relay.
 */
export async function reportAndFollow(
  deps: Pick<ToolRunnerDeps, 'watch' | 'report' | 'emit' | 'healingWaitMs' | 'log'>,
  ref: ToolRef,
  failure: ReportableFailure,
  onReported?: (reported: boolean, watching: boolean) => void
): Promise<Followed> {
  let watch: HealingWatch | undefined;
  try {
    watch = await deps.watch?.(ref, (event, data) => deps.emit(event, data));
  } catch (err) {
    deps.log.warn({ err, server: ref.server.name }, 'cannot follow healing through the relay');
  }
  try {
    const reported = await deps.report(failure, ref);
    onReported?.(reported, watch !== undefined);
    if (!reported) return { reported: false };
    return { reported: true, outcome: watch ? await watch.outcome(deps.healingWaitMs) : undefined };
  } finally {
    watch?.close();
  }
}

/** Runs one tool_use block and returns the tool_result for Claude; streams tool_call/tool_result/healing events. */
export async function runTool(use: ToolUseBlock, deps: ToolRunnerDeps): Promise<ToolResultBlockParam> {
  const ref = deps.refs.get(use.name);
  const input = (use.input ?? {}) as Record<string, unknown>;
  if (!ref) {
    deps.emit('tool_result', { id: use.id, name: use.name, server: '', isError: true, content: `unknown tool ${use.name}` });
    return result(use.id, `There is no tool named ${use.name}.`, true);
  }
  const base = { id: use.id, name: ref.tool, server: ref.server.name };
  deps.emit('tool_call', { ...base, input });
  const first = await attempt(deps, ref, { id: use.id, input });
  if (first.ok) {
    deps.emit('tool_result', { ...base, isError: false, content: first.output.text });
    return result(use.id, first.output, false);
  }
  const { failure } = first;
  if (!isReportable(failure) || deps.signal.aborted) {
    deps.emit('tool_result', { ...base, isError: true, content: failure.message });
    return result(use.id, failure.message, true);
  }

  const followed = await reportAndFollow(deps, ref, failure, (reported, watching) => {
    const note = reported
      ? watching
        ? 'reported for self-healing; waiting for the outcome'
        : 'reported for self-healing'
      : 'could not be reported';
    deps.emit('tool_result', { ...base, isError: true, content: `${failure.message} (${note})` });
  });
  if (!followed.reported || !followed.outcome) {
    const why = followed.reported
      ? 'its progress cannot be followed from here'
      : 'the failure could not be reported for healing';
    return result(
      use.id,
      `The tool ${ref.tool} on MCP server "${ref.server.name}" failed (${failure.category}): ${failure.message}. ${why}.`,
      true
    );
  }
  const { outcome } = followed;
  if (outcome.kind !== 'complete') return result(use.id, unhealedText(ref, failure, outcome), true);
  await deps.pool.reconnect(ref.server.name);
  const retry = await attempt(deps, ref, { id: use.id, input });
  const text = retry.ok ? retry.output.text : retry.failure.message;
  deps.emit('tool_result', { ...base, isError: !retry.ok, content: text, retried: true });
  const summary = String(outcome.data.message ?? outcome.data.summary ?? 'healed');
  const note = `(This call failed first (${failure.category}); Cortex healed ${ref.server.target.service}: ${summary}. This is the result of the retried call.)`;
  return retry.ok
    ? result(use.id, { ...retry.output, blocks: [...retry.output.blocks, { type: 'text', text: note }] }, false)
    : result(
        use.id,
        `The tool ${ref.tool} failed again after Cortex healed ${ref.server.target.service} (${summary}): ${retry.failure.message}`,
        true
      );
}
