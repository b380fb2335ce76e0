import Anthropic from '@anthropic-ai/sdk';
import type { Brief } from './brief.js';
import type { Explained } from './fallback.js';

/*
 * One Claude call per healing (@anthropic-ai/sdk, `messages.create`, max_tokens capped): the redacted brief in, two
 * labelled lines out. Any failure (HTTP error, timeout, refusal, an answer without a root cause) throws, and the caller
 * writes the explanation from the findings instead.
 */

export const SYSTEM_PROMPT =
  'You explain the outcome of an automatic healing of a Kubernetes workload to an operator, from a Cortex healing ' +
  'brief (JSON; values marked [REDACTED:…] were removed on purpose: never guess them). Answer in exactly two lines:\n' +
  'Root cause: <one or two sentences: what went wrong and why, from the findings and their evidence>\n' +
  'Next step: <one concrete thing the operator should do now>';

export interface ExplainerOptions {
  apiKey: string | undefined;
  baseUrl: string | undefined;
  model: string;
  maxTokens: number;
  timeoutMs: number;
  fetch?: typeof globalThis.fetch;
}

export type Explainer = (brief: Brief) => Promise<Explained>;

/** In keyless local mode the SDK still needs some key to send a request; the stand-in accepts any. */
const PLACEHOLDER_KEY = 'local-stand-in';

/** The two lines of an answer; throws when the root cause is missing. Pure. */
export function parseExplanation(text: string): Explained {
  const line = (label: string): string | undefined =>
    new RegExp(`^[\\s*]*${label}[\\s*]*:[\\s*]*(.+)$`, 'im').exec(text)?.[1]?.trim();
  const summary = line('Root cause');
  if (!summary) throw new Error('the answer has no "Root cause:" line');
  return { summary: summary.slice(0, 2000), nextStep: (line('Next step') ?? '').slice(0, 2000) };
}

/**
 * @example
 * const explain = createExplainer({ apiKey, baseUrl, model: 'claude-sonnet-5', maxTokens: 400, timeoutMs: 30_000 });
 * const { summary, nextStep } = await explain(brief);
 */
export function createExplainer(opts: ExplainerOptions): Explainer {
  const apiKey = opts.apiKey ?? (opts.baseUrl ? PLACEHOLDER_KEY : undefined);
  if (apiKey === undefined)
    return () => Promise.reject(new Error('no ANTHROPIC_API_KEY: explanations come from the findings'));
  const client = new Anthropic({
    apiKey,
    baseURL: opts.baseUrl ?? null,
    maxRetries: 1,
    timeout: opts.timeoutMs,
    ...(opts.fetch ? { fetch: opts.fetch } : {})
  });
  return async (brief) => {
    const message = await client.messages.create({
      model: opts.model,
      max_tokens: opts.maxTokens,
      system: SYSTEM_PROMPT,
      messages: [{ role: 'user', content: `Cortex healing brief:\n${JSON.stringify(brief, null, 2)}` }]
    });
    if (message.stop_reason === 'refusal') throw new Error('Claude declined to explain this healing');
    const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
    return parseExplanation(text);
  };
}
