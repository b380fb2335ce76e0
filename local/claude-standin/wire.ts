/*
 * The shapes of the Messages API that the stand-in reads and writes (API version 2026-10-21, SDK 1.14.0).
 * Request types are deliberately loose: validate.ts checks what matters and everything else passes through.
 */

export type Role = 'user' | 'assistant' | 'system';

/** `{type: 'ephemeral', ttl?}`: a prompt-cache breakpoint after the block that carries it. */
export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export interface TextBlockParam {
  type: 'text';
  text: string;
  cache_control?: CacheControl | null;
}

export interface ToolUseBlockParam {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}

export interface ToolResultBlockParam {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | Array<{ type: string; text?: string }>;
  is_error?: boolean;
}

/** Any block a request may carry; only the three above are interpreted, the rest (images, documents…) pass through. */
export type BlockParam = TextBlockParam | ToolUseBlockParam | ToolResultBlockParam | { type: string; [k: string]: unknown };

export interface MessageParam {
  role: Role;
  content: string | BlockParam[];
}

/** A JSON Schema, as loose as the tools' own `input_schema`. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  description?: string;
}

export interface ToolParam {
  name: string;
  description?: string;
  input_schema: JsonSchema;
  cache_control?: CacheControl | null;
}

export type ToolChoice = ({ type: 'auto' } | { type: 'any' } | { type: 'tool'; name: string } | { type: 'none' }) & {
  disable_parallel_tool_use?: boolean;
};

/** A request that passed validation. */
export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: MessageParam[];
  system?: string | TextBlockParam[];
  tools?: ToolParam[];
  tool_choice?: ToolChoice;
  stop_sequences?: string[];
  stream?: boolean;
  /** Top-level cache control: a breakpoint on the last cacheable block. */
  cache_control?: CacheControl | null;
}

export interface TextBlock {
  type: 'text';
  text: string;
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
  /** Set when max_tokens cut the block: the part of the input JSON that was generated. */
  partialJson?: string;
}

export type ReplyBlock = TextBlock | ToolUseBlock;

export type StopReason =
  'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal' | 'model_context_window_exceeded';

/** `stop_details` of a refusal, as the API sends it next to `stop_reason: "refusal"`. */
export interface RefusalStopDetails {
  type: 'refusal';
  category: string | null;
  explanation: string | null;
}

/** What the stand-in "model" decided to say, before it is serialised as JSON or as an SSE stream. */
export interface Reply {
  blocks: ReplyBlock[];
  stopReason: StopReason;
  stopSequence: string | null;
  stopDetails?: RefusalStopDetails | null;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  service_tier: 'standard';
}

/** A rough token count (about four characters a token), good enough for usage numbers and `max_tokens`. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
