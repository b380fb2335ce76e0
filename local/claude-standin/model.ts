import { gist, lastUserIndex, textOf, toolResultsOf, toolResultText, toolUsesOf } from './conversation.js';
import { derivedId } from './ids.js';
import { buildInput } from './schema-input.js';
import { customTools, selectTool } from './tool-select.js';
import { toWireJson } from './partial-json.js';
import { estimateTokens, type MessageParam, type MessagesRequest, type Reply, type ReplyBlock } from './wire.js';

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

/** The answer to `req`, before serialisation. `seed` makes tool_use ids unique per conversation yet repeatable. */
export function respond(req: MessagesRequest, seed: string): Reply {
  const i = lastUserIndex(req.messages);
  const last = req.messages[i];
  const forced = req.tool_choice?.type === 'any' || req.tool_choice?.type === 'tool';
  const results = toolResultsOf(last);
  const reply =
    results.length > 0 && !forced
      ? answerToolResults(req.messages, i)
      : (toolTurn(req, last ? textOf(last.content) || results.map(toolResultText).join('\n') : '', seed) ??
        answerText(req, i));
  return applyLimits(reply, req.max_tokens, req.stop_sequences ?? []);
}

function toolTurn(req: MessagesRequest, text: string, seed: string): Reply | undefined {
  const tool = selectTool(req.tools, text, req.tool_choice);
  if (!tool) return undefined;
  const blocks: ReplyBlock[] = [
    { type: 'text', text: `Let me check that with ${tool.name}.` },
    {
      type: 'tool_use',
      id: derivedId('toolu', seed, tool.name),
      name: tool.name,
      input: buildInput(tool.input_schema, text)
    }
  ];
  return { blocks, stopReason: 'tool_use', stopSequence: null };
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
  return block.type === 'text' ? estimateTokens(block.text) : estimateTokens(block.name + toWireJson(block.input));
}

/** Cuts the reply at the first stop sequence, then at `maxTokens`, setting stop_reason as the API does. */
export function applyLimits(reply: Reply, maxTokens: number, stopSequences: string[]): Reply {
  const blocks: ReplyBlock[] = [];
  let remaining = maxTokens;
  for (const block of reply.blocks) {
    if (block.type === 'text') {
      const hit = firstStop(block.text, stopSequences);
      const text = hit ? block.text.slice(0, hit.at) : block.text;
      if (estimateTokens(text) > remaining) {
        blocks.push({ type: 'text', text: text.slice(0, remaining * 4) });
        return { blocks, stopReason: 'max_tokens', stopSequence: null };
      }
      blocks.push({ type: 'text', text });
      remaining -= estimateTokens(text);
      if (hit) return { blocks, stopReason: 'stop_sequence', stopSequence: hit.sequence };
    } else {
      if (blockTokens(block) > remaining) return { blocks, stopReason: 'max_tokens', stopSequence: null };
      blocks.push(block);
      remaining -= blockTokens(block);
    }
  }
  return { ...reply, blocks };
}

function firstStop(text: string, sequences: string[]): { at: number; sequence: string } | undefined {
  let best: { at: number; sequence: string } | undefined;
  for (const sequence of sequences) {
    const at = text.indexOf(sequence);
    if (at >= 0 && (best === undefined || at < best.at)) best = { at, sequence };
  }
  return best;
}
