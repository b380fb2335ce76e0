import { gist, lastUserIndex, textOf, toolResultsOf, toolResultText, toolUsesOf } from './conversation.js';
import { derivedId } from './ids.js';
import { explainBrief, healingToolTurn } from './healings.js';
import { buildInput } from './schema-input.js';
import { partialParse } from '@anthropic-ai/sdk/_vendor/partial-json-parser/parser';
import type { RefusalCategory } from './faults.js';
import { customTools, selectTools } from './tool-select.js';
import { toWireJson } from './partial-json.js';
import {
  estimateTokens,
  type MessageParam,
  type MessagesRequest,
  type Reply,
  type ReplyBlock,
  type StopReason
} from './wire.js';

/*
 * The stand-in "model": a deterministic answer for a validated request. It calls a tool when the user's plain text
 * asks for one, reports tool results (quoting them, so a test can see real tool output reach the answer), and
 * otherwise echoes the question with a note of how much history it was given. max_tokens and stop_sequences are
 * then applied as the API would.
 */

/** Longest stretch of a tool result quoted back. */
export const MAX_QUOTE_CHARS = 800;

const quote = (text: string): string => {
  const trimmed = text.trim();
  return trimmed.length <= MAX_QUOTE_CHARS ? trimmed : `${trimmed.slice(0, MAX_QUOTE_CHARS).trimEnd()}…`;
};

/**
 * The answer to `req`, before serialisation. `seed` makes tool_use ids unique per conversation yet repeatable.
 * `windowLeft`: the tokens left in the context window after the prompt; the answer stops there.
 */
export function respond(req: MessagesRequest, seed: string, windowLeft = Infinity): Reply {
  const i = lastUserIndex(req.messages);
  const last = req.messages[i];
  const forced = req.tool_choice?.type === 'any' || req.tool_choice?.type === 'tool';
  const results = toolResultsOf(last);
  const said = last && results.length === 0 ? textOf(last.content) : '';
  const reply =
    explainBrief(req) ??
    healingToolTurn(req, said, seed) ??
    (results.length > 0 && !forced
      ? answerToolResults(req.messages, i)
      : (toolTurn(req, last ? textOf(last.content) || results.map(toolResultText).join('\n') : '', seed) ??
        answerText(req, i)));
  return applyLimits(reply, req.max_tokens, req.stop_sequences ?? [], windowLeft);
}

/** One tool_use block, or several in parallel when the user named several tools (and parallel use is allowed). */
function toolTurn(req: MessagesRequest, text: string, seed: string): Reply | undefined {
  const tools = selectTools(req.tools, text, req.tool_choice);
  if (tools.length === 0) return undefined;
  const names = tools.map((t) => t.name);
  const blocks: ReplyBlock[] = [
    { type: 'text', text: `Let me check that with ${names.join(' and ')}.` },
    ...tools.map((tool) => ({
      type: 'tool_use' as const,
      id: derivedId('toolu', seed, tool.name),
      name: tool.name,
      input: buildInput(tool.input_schema, text)
    }))
  ];
  return { blocks, stopReason: 'tool_use', stopSequence: null };
}

const REFUSAL_EXPLANATIONS: Record<RefusalCategory, string> = {
  cyber: 'This request was declined because it could enable cyber harm.',
  bio: 'This request was declined because it could enable biological harm.',
  frontier_llm: 'This request was declined because it could assist the development of competing AI models.',
  reasoning_extraction: 'This request was declined because it asks the model to reproduce its internal reasoning.',
  general_harms: 'This request was declined because it could be related to an area determined as harmful.'
};

/** A refusal: the start of an answer, then `stop_reason: "refusal"` with its `stop_details`. */
export function refusalReply(category: RefusalCategory = 'cyber'): Reply {
  return {
    blocks: [{ type: 'text', text: 'I' }],
    stopReason: 'refusal',
    stopSequence: null,
    stopDetails: { type: 'refusal', category, explanation: REFUSAL_EXPLANATIONS[category] }
  };
}

function answerToolResults(messages: MessageParam[], i: number): Reply {
  const uses = toolUsesOf(messages[i - 1]);
  const parts = toolResultsOf(messages[i]).map((result) => {
    const name = uses.find((u) => u.id === result.tool_use_id)?.name ?? 'the tool';
    const output = quote(toolResultText(result));
    if (result.is_error) {
      return `The ${name} tool failed, so I could not get an answer from it. It reported: "${output || 'no details'}"`;
    }
    return output ? `Here is what ${name} returned: "${output}"` : `${name} finished but returned no content.`;
  });
  const question = previousQuestion(messages, i);
  if (question) parts.push(`That is what I found about "${gist(question, 120)}".`);
  return { blocks: [{ type: 'text', text: parts.join('\n\n') }], stopReason: 'end_turn', stopSequence: null };
}

/** The last plain-text user message before index `i`: the question a tool round-trip was answering. */
function previousQuestion(messages: MessageParam[], i: number): string | undefined {
  for (let j = i - 1; j >= 0; j--) {
    const m = messages[j]!;
    const text = m.role === 'user' && toolResultsOf(m).length === 0 ? textOf(m.content).trim() : '';
    if (text) return text;
  }
  return undefined;
}

function answerText(req: MessagesRequest, i: number): Reply {
  const text = i >= 0 ? gist(textOf(req.messages[i]!.content)) : '';
  const sentences = [
    text ? `Happy to help! You asked: "${text}".` : 'Happy to help! Your message had no text in it, though.',
    'This answer comes from the local stand-in for the Claude API, not from Claude, but it travelled the same path a real answer would.'
  ];
  if (i > 0) {
    const earlier = previousQuestion(req.messages, i);
    sentences.push(
      `This conversation has ${i} earlier message${i === 1 ? '' : 's'}` +
        (earlier ? `; before this you asked: "${gist(earlier, 80)}".` : '.')
    );
  }
  const tools = customTools(req.tools);
  if (tools.length > 0 && req.tool_choice?.type !== 'none') {
    sentences.push(
      `I can call ${tools.length} tool${tools.length === 1 ? '' : 's'}; mention one by name to have me use it.`
    );
  }
  return { blocks: [{ type: 'text', text: sentences.join(' ') }], stopReason: 'end_turn', stopSequence: null };
}

/** Tokens a block costs, with the same estimate as usage. */
export function blockTokens(block: ReplyBlock): number {
  if (block.type === 'text') return estimateTokens(block.text);
  return estimateTokens(block.name + (block.partialJson ?? toWireJson(block.input)));
}

/**
 * Cuts the reply at the first stop sequence, then at `maxTokens` or at the end of the context window (`windowLeft`),
 * setting stop_reason as the API does. A tool_use block that does not fit is cut in the middle of its input JSON:
 * the API streams what was generated, and the block's `input` is the partial parse of it.
 */
export function applyLimits(reply: Reply, maxTokens: number, stopSequences: string[], windowLeft = Infinity): Reply {
  const blocks: ReplyBlock[] = [];
  const windowFirst = windowLeft < maxTokens;
  const cut: StopReason = windowFirst ? 'model_context_window_exceeded' : 'max_tokens';
  let remaining = Math.max(0, windowFirst ? windowLeft : maxTokens);
  for (const block of reply.blocks) {
    if (block.type === 'text') {
      const hit = firstStop(block.text, stopSequences);
      const text = hit ? block.text.slice(0, hit.at) : block.text;
      if (estimateTokens(text) > remaining) {
        if (remaining > 0) blocks.push({ type: 'text', text: text.slice(0, remaining * 4) });
        return { blocks, stopReason: cut, stopSequence: null };
      }
      blocks.push({ type: 'text', text });
      remaining -= estimateTokens(text);
      if (hit) return { blocks, stopReason: 'stop_sequence', stopSequence: hit.sequence };
    } else {
      if (blockTokens(block) > remaining) {
        if (remaining > 0) blocks.push(cutToolUse(block, remaining));
        return { blocks, stopReason: cut, stopSequence: null };
      }
      blocks.push(block);
      remaining -= blockTokens(block);
    }
  }
  return { ...reply, blocks };
}

/** The part of a tool_use block that `tokens` output tokens buy: its name, then the start of its input JSON. */
function cutToolUse(block: Extract<ReplyBlock, { type: 'tool_use' }>, tokens: number): ReplyBlock {
  const json = toWireJson(block.input);
  const partialJson = json.slice(0, Math.max(0, Math.min(json.length - 1, tokens * 4 - block.name.length)));
  let input: Record<string, unknown> = {};
  try {
    const parsed: unknown = partialJson ? partialParse(partialJson) : {};
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) input = parsed as Record<string, unknown>;
  } catch {
    input = {};
  }
  return { ...block, input, partialJson };
}

function firstStop(text: string, sequences: string[]): { at: number; sequence: string } | undefined {
  let best: { at: number; sequence: string } | undefined;
  for (const sequence of sequences) {
    const at = text.indexOf(sequence);
    if (at >= 0 && (best === undefined || at < best.at)) best = { at, sequence };
  }
  return best;
}
