import type {
  ContentBlock,
  ContentBlockParam,
  MessageParam,
  ToolResultBlockParam
} from '@anthropic-ai/sdk/resources/messages';
import type { Llm, LlmDelay, LlmResult } from './llm.js';
import { llmUserMessage } from './llm-failures.js';
import { claudeToolName, type McpPool } from './mcp-pool.js';
import type { ToolRunnerDeps } from './tool-runner.js';
import { reportAndFollow, runTool } from './tool-runner.js';

/*
 * Answers one user message: Claude, then the tools it asks for, then Claude again, for at most `maxTurns` calls.
 * The last allowed call gets `tool_choice: none`, so Claude has to answer in words. History is committed only when
 * the answer is complete; a failed turn leaves the session as it was (never a tool_use without its tool_result).
 */

export const SYSTEM_PROMPT =
  'You are the assistant of Cortex, a chat whose tools are served by MCP servers running on Kubernetes. ' +
  'Use the tools when they help, quote their results faithfully and keep answers short. When a tool fails, say so ' +
  'plainly: Cortex reports the failure and heals the service on its own; if the healing failed, pass on its manual steps.';

export interface TurnDeps {
  llm: Llm;
  pool: McpPool;
  maxTurns: number;
  emit(event: string, data: unknown): void;
  onDelay(delay: LlmDelay): void;
  /** Called once when Claude's API failed for good (to publish error.reported). */
  onLlmFailure(result: Extract<LlmResult, { ok: false }>, userMessage: string): Promise<void>;
  tools: Omit<ToolRunnerDeps, 'refs' | 'emit' | 'pool' | 'signal'>;
  signal: AbortSignal;
}

export type TurnResult = { ok: true; history: MessageParam[]; answer: string } | { ok: false };

/** The assistant's blocks as request params: text and tool_use only, empty text dropped (the API rejects it). */
function asParams(content: ContentBlock[]): ContentBlockParam[] {
  const out: ContentBlockParam[] = [];
  for (const b of content) {
    if (b.type === 'text' && b.text.length > 0) out.push({ type: 'text', text: b.text });
    if (b.type === 'tool_use') out.push({ type: 'tool_use', id: b.id, name: b.name, input: b.input });
  }
  return out.length > 0 ? out : [{ type: 'text', text: '(no answer)' }];
}

/**
 * A configured MCP server that could never be listed (down since before anyone used it) offers no tools, so Claude
 * could not even try it and nothing would heal it. Its listing failure is reported like a failed call and the
 * healing awaited (streamed to the user); after healing_complete the server is listed again.
 */
async function healUnlisted(deps: TurnDeps): Promise<void> {
  const { unavailable } = await deps.pool.tools();
  for (const { server, failure } of unavailable.filter((u) => u.failure.workload)) {
    const ref = { name: claudeToolName(server.name, 'tools_list'), server, tool: 'tools/list' };
    const followed = await reportAndFollow({ ...deps.tools, emit: deps.emit }, ref, failure);
    if (followed.reported && followed.outcome?.kind === 'complete') await deps.pool.relist(server.name);
    if (deps.signal.aborted) return;
  }
}

/** Runs the tool loop for one user message on top of `history`. */
export async function runTurn(history: readonly MessageParam[], message: string, deps: TurnDeps): Promise<TurnResult> {
  const messages: MessageParam[] = [...history, { role: 'user', content: message }];
  let answer = '';
  await healUnlisted(deps);
  for (let call = 0; call < deps.maxTurns; call++) {
    const { tools, refs } = await deps.pool.tools();
    const last = call === deps.maxTurns - 1;
    const res = await deps.llm.complete(
      { system: SYSTEM_PROMPT, messages, tools, ...(last ? { toolChoice: { type: 'none' } } : {}) },
      { onText: (delta) => deps.emit('token', { delta }), onDelay: deps.onDelay },
      deps.signal
    );
    if (!res.ok) {
      if (res.failure.aborted) return { ok: false };
      const text = llmUserMessage(res.failure, res.attempts, res.requestedWaitMs);
      deps.emit('error', { code: res.failure.category ?? 'llm_request_rejected', message: text });
      await deps.onLlmFailure(res, text);
      return { ok: false };
    }
    const content = res.message.content;
    messages.push({ role: 'assistant', content: asParams(content) });
    answer = content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    const uses = content.filter((b) => b.type === 'tool_use');
    if (res.message.stop_reason !== 'tool_use' || uses.length === 0) return { ok: true, history: messages, answer };
    if (last) {
      // Out of calls: keep the words, drop the unanswered tool_use (a history with one is rejected by the API).
      messages[messages.length - 1] = { role: 'assistant', content: asParams(content.filter((b) => b.type === 'text')) };
      return {
        ok: true,
        history: messages,
        answer: answer || 'I could not finish within the allowed number of tool calls.'
      };
    }

    const results: ToolResultBlockParam[] = [];
    // One after the other: a failing call may wait for a healing, and the user follows one story at a time.
    for (const use of uses) {
      results.push(await runTool(use, { ...deps.tools, pool: deps.pool, refs, emit: deps.emit, signal: deps.signal }));
      if (deps.signal.aborted) return { ok: false };
    }
    messages.push({ role: 'user', content: results });
  }
  return { ok: true, history: messages, answer };
}
