import type { Usage } from '@anthropic-ai/sdk/resources/messages';
import type { FunctionGauge } from '../../shared/runtime/define-function.js';

/*
 * Claude token usage of this chat replica, for /metrics: input tokens by how they were billed (uncached, written to
 * the prompt cache, read from it), output tokens, and what caching saved. Cache reads cost a tenth of an input token
 * and 5-minute cache writes a quarter more, so the saving, in input-token equivalents, is 0.9 × read − 0.25 × written.
 */

const READ_SAVES = 0.9;
const WRITE_COSTS = 0.25;

export interface UsageTotals {
  calls: number;
  input: number;
  cacheRead: number;
  cacheCreation: number;
  output: number;
}

export class UsageMeter {
  private readonly totals: UsageTotals = { calls: 0, input: 0, cacheRead: 0, cacheCreation: 0, output: 0 };

  add(usage: Pick<Usage, 'input_tokens' | 'output_tokens'> & Partial<Usage>): void {
    this.totals.calls += 1;
    this.totals.input += usage.input_tokens;
    this.totals.cacheRead += usage.cache_read_input_tokens ?? 0;
    this.totals.cacheCreation += usage.cache_creation_input_tokens ?? 0;
    this.totals.output += usage.output_tokens;
  }

  snapshot(): UsageTotals {
    return { ...this.totals };
  }

  /** Input-token equivalents caching saved so far (negative while the writes have not paid off yet). */
  saved(): number {
    return READ_SAVES * this.totals.cacheRead - WRITE_COSTS * this.totals.cacheCreation;
  }

  gauges(): FunctionGauge[] {
    return [
      {
        name: 'cortex_chat_llm_tokens',
        help: 'Claude tokens used since start, by kind: input (uncached), cache_read, cache_creation, output.',
        labelNames: ['kind'],
        read: () => [
          { labels: { kind: 'input' }, value: this.totals.input },
          { labels: { kind: 'cache_read' }, value: this.totals.cacheRead },
          { labels: { kind: 'cache_creation' }, value: this.totals.cacheCreation },
          { labels: { kind: 'output' }, value: this.totals.output }
        ]
      },
      {
        name: 'cortex_chat_llm_calls',
        help: 'Claude API calls answered since start.',
        labelNames: [],
        read: () => [{ labels: {}, value: this.totals.calls }]
      },
      {
        name: 'cortex_chat_prompt_cache_saved_tokens',
        help: 'Input-token equivalents prompt caching saved since start: 0.9 x cache reads - 0.25 x cache writes.',
        labelNames: [],
        read: () => [{ labels: {}, value: this.saved() }]
      }
    ];
  }
}
