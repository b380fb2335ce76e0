import { textOf, toolResultsOf, toolResultText, toolUsesOf } from './conversation.js';
import { derivedId } from './ids.js';
import { customTools, shortName } from './tool-select.js';
import type { MessagesRequest, Reply, ToolParam } from './wire.js';

/*
 * What the stand-in "model" knows about Cortex: a healing brief to explain (explain-healing's system prompt asks for a
 * "Root cause:" and a "Next step:" line), and questions about what happened to a service, which it answers with
 * Cortex's MCP tools: list_healings for the target, then get_healing for the newest healing it lists.
 */

const BRIEF_MARKER = 'Cortex healing brief:';
const WHAT_HAPPENED =
  /\bwhat (?:happened|went wrong|was wrong) (?:to|with) (?:the )?([a-z0-9][a-z0-9-]*(?:\/[a-z0-9][a-z0-9-]*)?)/i;

interface BriefShape {
  target?: string;
  outcome?: string;
  summary?: string;
  reasonCode?: string;
  findings?: Array<{ check?: string; verdict?: string; summary?: string }>;
  actions?: Array<{ action?: string; outcome?: string }>;
  manualSteps?: string[];
}

/** The two lines explaining a brief, written from its findings, as a model would from the same JSON. */
export function explainBrief(req: MessagesRequest): Reply | undefined {
  const last = req.messages.at(-1);
  const text = last && last.role === 'user' ? textOf(last.content) : '';
  if (!text.startsWith(BRIEF_MARKER)) return undefined;
  let brief: BriefShape;
  try {
    brief = JSON.parse(text.slice(BRIEF_MARKER.length)) as BriefShape;
  } catch {
    return undefined;
  }
  const problem = brief.findings?.find((f) => f.verdict === 'problem');
  const applied = (brief.actions ?? []).filter((a) => a.outcome === 'applied').map((a) => a.action);
  const cause = problem ? `${problem.check}: ${problem.summary}` : (brief.summary ?? 'no check found a problem');
  const healed = brief.outcome === 'healed';
  const tried = applied.join(' and ');
  const fix = applied.length === 0 ? '' : healed ? ` ${tried} fixed it.` : ` ${tried} did not fix it.`;
  const root = `Root cause: ${brief.target ?? 'the target'} ${healed ? 'was healed' : 'was not healed'}; ${cause}.${fix}`;
  const next = `Next step: ${brief.manualSteps?.[0] ?? `watch ${brief.target ?? 'the target'} for a recurrence`}`;
  return { blocks: [{ type: 'text', text: `${root}\n${next}` }], stopReason: 'end_turn', stopSequence: null };
}

const named = (tools: ToolParam[], name: string): ToolParam | undefined => tools.find((t) => shortName(t.name) === name);

const call = (tool: ToolParam, input: Record<string, unknown>, seed: string, say: string): Reply => ({
  blocks: [
    { type: 'text', text: say },
    { type: 'tool_use', id: derivedId('toolu', seed, tool.name), name: tool.name, input }
  ],
  stopReason: 'tool_use',
  stopSequence: null
});

/**
 * "What happened to mcp-demo?": a list_healings call for that target; once it answered, a get_healing call for the
 * newest healing it listed. Undefined when the question is another one, or the tools are not offered.
 */
export function healingToolTurn(req: MessagesRequest, userText: string, seed: string): Reply | undefined {
  if (req.tool_choice?.type === 'none') return undefined;
  const tools = customTools(req.tools);
  const list = named(tools, 'list_healings');
  if (!list) return undefined;
  const asked = WHAT_HAPPENED.exec(userText);
  if (asked)
    return call(list, { target: asked[1]!.toLowerCase() }, seed, `Let me look at Cortex's healings of ${asked[1]}.`);
  // The answer to list_healings: follow up on the newest healing with get_healing (once).
  const i = req.messages.length - 1;
  const uses = toolUsesOf(req.messages[i - 1]);
  const get = named(tools, 'get_healing');
  if (!get || uses.some((u) => shortName(u.name) === 'get_healing')) return undefined;
  for (const result of toolResultsOf(req.messages[i])) {
    const use = uses.find((u) => u.id === result.tool_use_id);
    if (!use || shortName(use.name) !== 'list_healings' || result.is_error) continue;
    try {
      const first = (JSON.parse(toolResultText(result)) as { healings?: Array<{ healingId?: string }> }).healings?.[0];
      if (first?.healingId)
        return call(get, { healingId: first.healingId }, seed, `Here is healing ${first.healingId} in detail.`);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
