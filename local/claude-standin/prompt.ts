import { createHash } from 'node:crypto';
import { estimateTokens, type MessagesRequest } from './wire.js';

/*
 * A request's prompt as the API reads it for token counting and prompt caching: a sequence of blocks in cache order,
 * tools → system → messages, each with its token count and whether it carries a `cache_control` breakpoint. Every
 * block is identified by a chain hash of everything before it (the model included), so "the same prefix" means the
 * same bytes in the same order, as with the real cache.
 */

export interface PromptBlock {
  /** sha256 over the model and every block up to and including this one. */
  readonly prefixHash: string;
  readonly tokens: number;
  /** Tokens of this block and every block before it. */
  readonly prefixTokens: number;
  readonly breakpoint: boolean;
}

type Raw = { value: unknown; breakpoint: boolean };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The block without its cache_control: a marker does not change what the prefix is. */
function withoutMarker(value: unknown): { value: unknown; marked: boolean } {
  if (!isObject(value) || !('cache_control' in value)) return { value, marked: false };
  const { cache_control: marker, ...rest } = value;
  return { value: rest, marked: marker !== null && marker !== undefined };
}

function rawBlocks(req: MessagesRequest): Raw[] {
  const out: Raw[] = [];
  const push = (value: unknown, extra: Record<string, unknown> = {}): void => {
    const { value: clean, marked } = withoutMarker(value);
    out.push({ value: { ...extra, block: clean }, breakpoint: marked });
  };
  for (const tool of req.tools ?? []) push(tool, { kind: 'tool' });
  if (typeof req.system === 'string') push({ type: 'text', text: req.system }, { kind: 'system' });
  else for (const block of req.system ?? []) push(block, { kind: 'system' });
  req.messages.forEach((m, i) => {
    if (typeof m.content === 'string') return push({ type: 'text', text: m.content }, { role: m.role, message: i });
    for (const block of m.content) push(block, { role: m.role, message: i });
  });
  // Top-level cache_control puts the breakpoint on the last cacheable block.
  if (req.cache_control && out.length > 0) out[out.length - 1]!.breakpoint = true;
  return out;
}

/**
 * The prompt's blocks in cache order with their token counts (about four characters a token).
 *
 * @example
 * promptBlocks(request).at(-1)?.prefixTokens; // the request's input tokens
 */
export function promptBlocks(req: MessagesRequest): PromptBlock[] {
  let hash = createHash('sha256').update(req.model).digest('hex');
  let total = 0;
  return rawBlocks(req).map(({ value, breakpoint }) => {
    const json = JSON.stringify(value);
    const tokens = estimateTokens(json);
    hash = createHash('sha256').update(hash).update(json).digest('hex');
    total += tokens;
    return { prefixHash: hash, tokens, prefixTokens: total, breakpoint };
  });
}

/** The request's input tokens: every block of tools, system and messages. */
export const promptTokens = (blocks: readonly PromptBlock[]): number => Math.max(1, blocks.at(-1)?.prefixTokens ?? 0);

/** How many blocks carry `cache_control` (the API allows at most 4). */
export const breakpointCount = (req: MessagesRequest): number => rawBlocks(req).filter((b) => b.breakpoint).length;

export interface CacheUsage {
  inputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
}

export interface PromptCacheOptions {
  /** Shortest prefix that is cached; shorter ones are silently not cached (1024 for Sonnet-class models). */
  minTokens: number;
  /** How long an entry lives after its last use (5 minutes: the default `ttl`). */
  ttlMs: number;
  now: () => number;
}

/** How far before a breakpoint the API looks for an earlier cache entry. */
export const LOOKBACK_BLOCKS = 20;

/**
 * The prompt cache. Entries are written at breakpoints whose prefix reaches `minTokens`; a later request reads the
 * longest written prefix found at one of its breakpoints or up to 20 blocks before one. Reads refresh the entry.
 * Usage then splits the input as the API does: `cache_read_input_tokens` (the prefix read), `cache_creation_input_tokens`
 * (what was written beyond it, up to the last breakpoint) and `input_tokens` (everything after the last breakpoint).
 */
export class PromptCache {
  private readonly entries = new Map<string, number>();

  constructor(private readonly opts: PromptCacheOptions) {}

  use(blocks: readonly PromptBlock[]): CacheUsage {
    const now = this.opts.now();
    for (const [hash, expires] of this.entries) if (expires <= now) this.entries.delete(hash);
    const total = promptTokens(blocks);
    const marks = blocks.flatMap((b, i) => (b.breakpoint ? [i] : []));
    let hit = -1;
    for (const mark of marks) {
      for (let j = mark; j >= Math.max(0, mark - LOOKBACK_BLOCKS + 1); j--) {
        if (j > hit && this.entries.has(blocks[j]!.prefixHash)) hit = j;
      }
    }
    const expires = now + this.opts.ttlMs;
    if (hit >= 0) this.entries.set(blocks[hit]!.prefixHash, expires);
    const read = hit >= 0 ? blocks[hit]!.prefixTokens : 0;
    let created = 0;
    for (const mark of marks) {
      const block = blocks[mark]!;
      if (block.prefixTokens < this.opts.minTokens || mark <= hit) continue;
      this.entries.set(block.prefixHash, expires);
      created = block.prefixTokens - read;
    }
    return { inputTokens: Math.max(0, total - read - created), cacheReadTokens: read, cacheCreationTokens: created };
  }

  clear(): void {
    this.entries.clear();
  }
}
