import type { IncomingHttpHeaders } from 'node:http';
import { ApiResponseError } from './errors.js';
import { breakpointCount } from './prompt.js';
import type { BlockParam, MessageParam, MessagesRequest, ToolChoice, ToolParam } from './wire.js';

/*
 * Request validation, as strict as the real API where a client could get it wrong: required fields, sampling
 * parameters removed in 2026-10-21, and the pairing of tool_use and tool_result blocks. Messages follow the API's
 * `<path>: <problem>` style so a failing client sees where its body is wrong.
 */

/** The API version whose requests must not carry sampling parameters. */
export const STRICT_SAMPLING_VERSION = '2026-10-21';
const SAMPLING_PARAMS = ['temperature', 'top_p', 'top_k'] as const;
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const TOOL_CHOICES = new Set(['auto', 'any', 'tool', 'none']);
/** The API reads at most this many `cache_control` breakpoints in one request. */
export const MAX_CACHE_BREAKPOINTS = 4;
const COMBINATORS = ['oneOf', 'allOf', 'anyOf'] as const;

const invalid = (message: string): ApiResponseError => new ApiResponseError('invalid_request_error', message);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The key from `authorization: Bearer <key>` or `x-api-key`; undefined when neither carries a non-empty key. */
export function apiKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
  const xApiKey = headers['x-api-key'];
  const key = bearer ?? (typeof xApiKey === 'string' ? xApiKey.trim() : undefined);
  return key ? key : undefined;
}

/**
 * Checks headers and body of `POST /v1/messages` (or of `count_tokens`, which takes no `max_tokens`); throws
 * ApiResponseError (400) on the first problem found.
 */
export function validateRequest(
  headers: IncomingHttpHeaders,
  body: unknown,
  opts: { countTokens?: boolean } = {}
): MessagesRequest {
  const version = headers['anthropic-version'];
  if (typeof version !== 'string' || version === '') throw invalid('anthropic-version: header is required');
  if (!isObject(body)) throw invalid('The request body must be a JSON object.');
  if (version === STRICT_SAMPLING_VERSION) {
    for (const param of SAMPLING_PARAMS) {
      if (param in body) {
        throw invalid(
          `${param}: Extra inputs are not permitted. Sampling parameters are not supported by anthropic-version ${version}.`
        );
      }
    }
  }
  if (body.model === undefined) throw invalid('model: Field required');
  if (typeof body.model !== 'string' || body.model === '') throw invalid('model: Input should be a non-empty string');
  if (!opts.countTokens) validateMaxTokens(body.max_tokens);
  if (body.stream !== undefined && typeof body.stream !== 'boolean')
    throw invalid('stream: Input should be a valid boolean');
  const messages = validateMessages(body.messages);
  const tools = validateTools(body.tools);
  validateSystem(body.system);
  validateStopSequences(body.stop_sequences);
  const toolChoice = validateToolChoice(body.tool_choice, tools ?? []);
  const request = { ...(body as unknown as MessagesRequest), messages, tools, tool_choice: toolChoice };
  const breakpoints = breakpointCount(request);
  if (breakpoints > MAX_CACHE_BREAKPOINTS) {
    throw invalid(`A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`);
  }
  return request;
}

function validateMaxTokens(value: unknown): void {
  if (value === undefined) throw invalid('max_tokens: Field required');
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid('max_tokens: Input should be a valid integer');
  if (value < 1) throw invalid('max_tokens: Input should be greater than or equal to 1');
}

function validateMessages(value: unknown): MessageParam[] {
  if (value === undefined) throw invalid('messages: Field required');
  if (!Array.isArray(value)) throw invalid('messages: Input should be a valid list');
  if (value.length === 0) throw invalid('messages: at least one message is required');
  value.forEach((m: unknown, i) => {
    if (!isObject(m)) throw invalid(`messages.${i}: Input should be an object`);
    if (m.role !== 'user' && m.role !== 'assistant' && m.role !== 'system') {
      throw invalid(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    }
    if (typeof m.content === 'string') {
      if (m.content === '' && !(m.role === 'assistant' && i === value.length - 1)) {
        throw invalid(
          `messages.${i}: all messages must have non-empty content except for the optional final assistant message`
        );
      }
      return;
    }
    if (!Array.isArray(m.content))
      throw invalid(`messages.${i}.content: Input should be a valid string or list of content blocks`);
    m.content.forEach((b: unknown, j) => validateBlock(b, `messages.${i}.content.${j}`, m.role as string));
  });
  const messages = value as MessageParam[];
  // Results that answer nothing are the more specific mistake, so they are reported before unanswered calls.
  messages.forEach((_m, i) => checkToolResults(messages, i));
  messages.forEach((_m, i) => checkToolUses(messages, i));
  return messages;
}

function validateBlock(b: unknown, path: string, role: string): void {
  if (!isObject(b) || typeof b.type !== 'string') throw invalid(`${path}.type: Field required`);
  if (b.type === 'text' && typeof b.text !== 'string') throw invalid(`${path}.text: Input should be a valid string`);
  if (b.type === 'tool_use') {
    if (role !== 'assistant') throw invalid(`${path}: tool_use blocks may only appear in assistant messages`);
    if (typeof b.id !== 'string' || typeof b.name !== 'string')
      throw invalid(`${path}: tool_use blocks need a string id and name`);
    if (!isObject(b.input)) throw invalid(`${path}.input: Input should be a valid dictionary`);
  }
  if (b.type === 'tool_result') {
    if (role !== 'user') throw invalid(`${path}: tool_result blocks may only appear in user messages`);
    if (typeof b.tool_use_id !== 'string') throw invalid(`${path}.tool_use_id: Field required`);
    if (b.content !== undefined && typeof b.content !== 'string' && !Array.isArray(b.content)) {
      throw invalid(`${path}.content: Input should be a valid string or list of content blocks`);
    }
  }
}

const blocksOf = (m: MessageParam | undefined): BlockParam[] => (m && Array.isArray(m.content) ? m.content : []);
const idsOf = (m: MessageParam | undefined, type: 'tool_use' | 'tool_result'): string[] =>
  blocksOf(m)
    .filter((b) => b.type === type)
    .map((b) => String((b as Record<string, unknown>)[type === 'tool_use' ? 'id' : 'tool_use_id']));

/** Every tool_result answers a tool_use of the turn just before it. */
function checkToolResults(messages: MessageParam[], i: number): void {
  const message = messages[i]!;
  if (message.role === 'user') {
    const offered = new Set(idsOf(messages[i - 1]?.role === 'assistant' ? messages[i - 1] : undefined, 'tool_use'));
    const unexpected = idsOf(message, 'tool_result').filter((id) => !offered.has(id));
    if (unexpected.length > 0) {
      throw invalid(
        `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${unexpected.join(', ')}. ` +
          'Each `tool_result` block must have a corresponding `tool_use` block in the previous message.'
      );
    }
  }
}

/** Every tool_use is answered in the next turn (a final assistant turn is a prefill and has no next turn yet). */
function checkToolUses(messages: MessageParam[], i: number): void {
  const message = messages[i]!;
  if (message.role === 'assistant' && i < messages.length - 1) {
    const answered = new Set(idsOf(messages[i + 1], 'tool_result'));
    const missing = idsOf(message, 'tool_use').filter((id) => !answered.has(id));
    if (missing.length > 0) {
      throw invalid(
        `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. ` +
          'Each `tool_use` block must have a corresponding `tool_result` block in the next message.'
      );
    }
  }
}

function validateTools(value: unknown): ToolParam[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalid('tools: Input should be a valid list');
  const names = new Set<string>();
  value.forEach((t: unknown, i) => {
    if (!isObject(t)) throw invalid(`tools.${i}: Input should be an object`);
    if (typeof t.name !== 'string' || !TOOL_NAME.test(t.name)) {
      throw invalid(`tools.${i}.name: String should match pattern '${TOOL_NAME.source}'`);
    }
    if (names.has(t.name)) throw invalid('tools: Tool names must be unique.');
    names.add(t.name);
    // Server tools (web_search_…, bash_…) carry a versioned `type` and no schema; they are accepted and never chosen.
    if (t.type !== undefined && t.type !== 'custom') return;
    if (!isObject(t.input_schema)) throw invalid(`tools.${i}.input_schema: Field required`);
    if (t.input_schema.type !== 'object') throw invalid(`tools.${i}.input_schema.type: Input should be 'object'`);
    if (COMBINATORS.some((k) => k in (t.input_schema as object))) {
      throw invalid(`tools.${i}.custom.input_schema: input_schema does not support oneOf, allOf, or anyOf at the top level`);
    }
    if (t.description !== undefined && typeof t.description !== 'string') {
      throw invalid(`tools.${i}.description: Input should be a valid string`);
    }
  });
  return value as ToolParam[];
}

function validateSystem(value: unknown): void {
  if (value === undefined || typeof value === 'string') return;
  if (!Array.isArray(value) || !value.every((b) => isObject(b) && b.type === 'text' && typeof b.text === 'string')) {
    throw invalid('system: Input should be a valid string or list of text blocks');
  }
}

function validateStopSequences(value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string' && s !== '')) {
    throw invalid('stop_sequences: Input should be a list of non-empty strings');
  }
}

function validateToolChoice(value: unknown, tools: ToolParam[]): ToolChoice | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || typeof value.type !== 'string' || !TOOL_CHOICES.has(value.type)) {
    throw invalid("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
  }
  if (value.type === 'tool' && !tools.some((t) => t.name === value.name)) {
    throw invalid(`tool_choice.name: no tool named '${String(value.name)}' is defined in tools`);
  }
  if ((value.type === 'any' || value.type === 'tool') && tools.length === 0) {
    throw invalid(`tool_choice: type '${value.type}' requires tools`);
  }
  return value as ToolChoice;
}
