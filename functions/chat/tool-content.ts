import type { ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages';

/*
 * An MCP tool result as Claude reads it. `structuredContent` goes as JSON text (unless a text block already carries
 * the same JSON, as the MCP spec asks servers to do); images the API can see go as image blocks; embedded text
 * resources as their text with the URI; PDFs as documents; resource links, audio and other binaries as a line that
 * says what they are. The user's `tool_result` event gets the text version.
 */

type Content = Exclude<ToolResultBlockParam['content'], string | undefined>;
type Block = Content[number];

/** The media types the API takes as images. */
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
/** The API's limit for one image is 5 MB; base64 takes 4 characters for every 3 bytes. */
const MAX_IMAGE_BASE64 = Math.floor((5 * 1024 * 1024 * 4) / 3);

export interface ToolOutput {
  /** What Claude gets in the tool_result. */
  readonly blocks: Content;
  /** A text rendering for the user's `tool_result` event and for logs. */
  readonly text: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const bytesOf = (base64: string): number => Math.floor((base64.length * 3) / 4);

function sameJson(text: string, value: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
  } catch {
    return false;
  }
}

function binary(kind: string, mime: string | undefined, data: string, where = ''): Block[] {
  const media = mime ?? 'application/octet-stream';
  if (IMAGE_TYPES.has(media) && data.length <= MAX_IMAGE_BASE64) {
    const image = { type: 'base64' as const, media_type: media as 'image/png', data };
    return [{ type: 'image', source: image }];
  }
  if (media === 'application/pdf') {
    return [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data } }];
  }
  return [{ type: 'text', text: `[${kind}${where} (${media}, ${bytesOf(data)} bytes): not shown]` }];
}

function resourceBlocks(resource: Record<string, unknown>): Block[] {
  const uri = str(resource.uri) ?? '(no uri)';
  const mime = str(resource.mimeType);
  const text = str(resource.text);
  if (text !== undefined) return [{ type: 'text', text: `Resource ${uri}${mime ? ` (${mime})` : ''}:\n${text}` }];
  const blob = str(resource.blob);
  return blob !== undefined ? binary('resource', mime, blob, ` ${uri}`) : [{ type: 'text', text: `[resource ${uri}]` }];
}

function blocksOf(item: unknown): Block[] {
  if (!isObject(item)) return [];
  switch (item.type) {
    case 'text':
      return [{ type: 'text', text: str(item.text) ?? '' }];
    case 'image':
    case 'audio':
      return binary(item.type, str(item.mimeType), str(item.data) ?? '');
    case 'resource':
      return isObject(item.resource) ? resourceBlocks(item.resource) : [];
    case 'resource_link': {
      const described = [str(item.title) ?? str(item.name), str(item.description)].filter(Boolean).join(': ');
      const mime = str(item.mimeType) ? ` (${str(item.mimeType)})` : '';
      return [{ type: 'text', text: `Resource link ${str(item.uri) ?? ''}${mime}${described ? ` — ${described}` : ''}` }];
    }
    default:
      return [{ type: 'text', text: `[${String(item.type)} content]` }];
  }
}

const describe = (b: Block): string =>
  b.type === 'text' ? b.text : b.type === 'image' ? '[image]' : b.type === 'document' ? '[PDF document]' : `[${b.type}]`;

/**
 * Claude's view of a CallToolResult's `content` and `structuredContent`.
 *
 * @example
 * toolOutput({ content: [], structuredContent: { temperature: 21 } }).text; // '{"temperature":21}'
 */
export function toolOutput(result: { content?: unknown; structuredContent?: unknown }): ToolOutput {
  const blocks: Block[] = (Array.isArray(result.content) ? result.content : []).flatMap(blocksOf);
  const structured = result.structuredContent;
  if (structured !== undefined && structured !== null) {
    const echoed = blocks.some((b) => b.type === 'text' && sameJson(b.text, structured));
    if (!echoed) blocks.push({ type: 'text', text: JSON.stringify(structured) });
  }
  const nonEmpty = blocks.filter((b) => b.type !== 'text' || b.text.length > 0);
  const out = nonEmpty.length > 0 ? nonEmpty : [{ type: 'text' as const, text: '(empty result)' }];
  return { blocks: out, text: out.map(describe).join('\n') };
}
