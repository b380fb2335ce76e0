import type {
  ContentBlock,
  ContentBlockParam,
  Message,
  MessageParam,
  ToolResultBlockParam
} from '@anthropic-ai/sdk/resources/messages';
import { callClaude, type CallLimits } from './claude-call.js';
import { repairHistory } from './history.js';
import type { Llm, LlmDelay, LlmResult } from './llm.js';
import { llmUserMessage } from './llm-failures.js';
import { isReportable } from '../../shared/mcp/failures.js';
import { claudeToolName, type McpPool } from './mcp-pool.js';
import type { ToolRunnerDeps } from './tool-runner.js';
import { reportAndFollow, runTool } from './tool-runner.js';

/*
 * Answers one user message: Claude, then the tools it asks for, then Claude again, for at most `maxTurns` calls.
 * The last allowed call gets `tool_choice: none`, so Claude has to answer in words. History is committed only when
 * the answer is complete; a failed turn leaves the session as it was (never a tool_use without its tool_result),
 * and a history that already holds an unpaired tool call is mended before it is sent. A refusal ends the turn and
 * asks the caller to reset the conversation, as the API requires.
 */

export const SYSTEM_PROMPT =
  'You are the assistant of Cortex, a chat whose tools are served by MCP servers running on Kubernetes. ' +
  'Use the tools when they help, quote their results faithfully and keep answers short. When a tool fails, say so ' +
  'plainly: Cortex reports the failure and heals the service on its own; if the healing failed, pass on its manual steps.';

export interface TurnDeps {
  llm: Llm;
  pool: McpPool;
  maxTurns: number;
  limits: CallLimits;
  emit(event: string, data: unknown): void;
  onDelay(delay: LlmDelay): void;
  /** Called once when Claude's API failed for good (to publish error.reported). */
  onLlmFailure(result: Extract<LlmResult, { ok: false }>, userMessage: string): Promise<void>;
  tools: Omit<ToolRunnerDeps, 'refs' | 'emit' | 'pool' | 'signal'>;
  signal: AbortSignal;
}

/** `reset`: Claude refused, and the API says the conversation must not go on as it is. */
export type TurnResult = { ok: true; history: MessageParam[]; answer: string } | { ok: false; reset?: boolean };

/** The assistant's blocks as request params: text and tool_use only, empty text dropped (the API rejects it). */
function asParams(content: ContentBlock[]): ContentBlockParam[] {
  const out: ContentBlockParam[] = [];
  for (const b of content) {
    if (b.type === 'text' && b.text.length > 0) out.push({ type: 'text', text: b.text });
    if (b.type === 'tool_use') out.push({ type: 'tool_use', id: b.id, name: b.name, input: b.input });
  }
  return out.length > 0 ? out : [{ type: 'text', text: '(no answer)' }];
}

const TRUNCATED: Record<'max_tokens' | 'context_window', string> = {
  max_tokens: 'The answer was cut off: it needed more room than this chat allows for one answer.',
  context_window: "The answer was cut off: the conversation filled Claude's context window."
};

/**
 * A configured MCP server that could never be listed (down since before anyone used it) offers no tools, so Claude
 * could not even try it and nothing would heal it. Its listing failure is reported like a failed call and the
 * healing awaited (streamed to the user); after healing_complete the server is listed again. A server that is
 * unavailable for a reason healing cannot fix (it refuses our credentials) is named to the user in a `notice`.
 */
async function healUnlisted(deps: TurnDeps): Promise<void> {
  const { unavailable } = await deps.pool.tools();
  for (const { server, failure } of unavailable) {
    if (!isReportable(failure)) {
      deps.emit('notice', {
        code: failure.category,
        server: server.name,
        message: `The tools of MCP server "${server.name}" are unavailable: ${failure.message}`
      });
      continue;
    }
    const ref = { name: claudeToolName(server.name, 'tools_list'), server, tool: 'tools/list' };
    const followed = await reportAndFollow({ ...deps.tools, emit: deps.emit }, ref, failure);
    if (followed.reported && followed.outcome?.kind === 'complete') await deps.pool.relist(server.name);
    if (deps.signal.aborted) return;
  }
}

/** Tells the user Claude declined, and why; the caller resets the conversation. */
function refused(deps: TurnDeps, message: Message): TurnResult {
  const details = message.stop_details;
  const why = [details?.category ? `category: ${details.category}` : '', details?.explanation ?? '']
    .filter(Boolean)
    .join('; ');
  deps.emit('error', {
    code: 'refused',
    message:
      `Claude declined to answer this${why ? ` (${why})` : ''}. ` +
      'The conversation has been reset: your earlier messages are no longer part of it. Please rephrase and try again.',
    ...(details ? { category: details.category } : {})
  });
  return { ok: false, reset: true };
}

/** Runs the tool loop for one user message on top of `history`. */
export async function runTurn(history: readonly MessageParam[], message: string, deps: TurnDeps): Promise<TurnResult> {
  const mended = repairHistory(history);
  if (mended.repaired) deps.tools.log.warn('the session history had unpaired tool calls; they were removed');
  let messages: MessageParam[] = [...mended.messages, { role: 'user', content: message }];
  let answer = '';
  await healUnlisted(deps);
  for (let call = 0; call < deps.maxTurns; call++) {
    const { tools, refs } = await deps.pool.tools();
    const last = call === deps.maxTurns - 1;
    const res = await callClaude(
      { system: SYSTEM_PROMPT, messages, tools, ...(last ? { toolChoice: { type: 'none' } } : {}) },
      {
        llm: deps.llm,
        limits: deps.limits,
        onText: (delta) => deps.emit('token', { delta }),
        onDelay: deps.onDelay,
        log: deps.tools.log,
        signal: deps.signal
      }
    );
    if (!res.ok) {
      if (res.failure.aborted) return { ok: false };
      const text = llmUserMessage(res.failure, res.attempts, res.requestedWaitMs);
      deps.emit('error', { code: res.failure.category ?? 'llm_request_rejected', message: text });
      await deps.onLlmFailure(res, text);
      return { ok: false };
    }
    if (res.message.stop_reason === 'refusal') return refused(deps, res.message);
    messages = res.messages;
    const content = res.message.content;
    answer = content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    if (res.truncated) {
      deps.emit('notice', { code: res.truncated, message: TRUNCATED[res.truncated] });
      answer = [answer, TRUNCATED[res.truncated]].filter(Boolean).join('\n\n');
    }
    messages.push({ role: 'assistant', content: asParams(content) });
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
