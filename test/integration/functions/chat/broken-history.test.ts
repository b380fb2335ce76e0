import Anthropic, { BadRequestError } from '@anthropic-ai/sdk';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlm } from '../../../../functions/chat/llm.js';
import type { McpPool } from '../../../../functions/chat/mcp-pool.js';
import { runTurn } from '../../../../functions/chat/turn.js';
import { startClaudeStandin, type ClaudeStandin } from '../../../../local/claude-standin/index.js';
import { createLogger } from '../../../../shared/runtime/logging.js';

/*
 * A session whose history already holds a tool call cut by max_tokens (saved before the chat learned not to): the
 * API rejects every request that carries it, so the chat mends the history before sending.
 */

const log = createLogger({ name: 'test', level: 'silent' });
const broken: MessageParam[] = [
  { role: 'user', content: 'What is the weather in Paris?' },
  {
    role: 'assistant',
    content: [
      { type: 'text', text: 'Let me check that with demo__get_weather.' },
      { type: 'tool_use', id: 'toolu_01Cut', name: 'demo__get_weather', input: { city: 'Par' } }
    ]
  }
];

describe('Function: chat recovers a session whose history is already broken', () => {
  let standin: ClaudeStandin;
  beforeAll(async () => {
    standin = await startClaudeStandin({ log, pacingMs: 0 });
  });
  afterAll(async () => {
    await standin.stop();
  });

  it('the API refuses the broken history as it is; the chat mends it and answers', async () => {
    // Prepare
    const client = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 0 });
    const asIs = await client.messages
      .create({ model: 'claude-sonnet-5', max_tokens: 100, messages: [...broken, { role: 'user', content: 'Hello?' }] })
      .catch((e: unknown) => e);
    const llm = createLlm({
      config: {
        apiKey: 'test',
        baseUrl: standin.url,
        model: 'claude-sonnet-5',
        maxTokens: 256,
        maxRetries: 0,
        timeoutMs: 5_000,
        retryCapMs: 1_000,
        idleTimeoutMs: 5_000,
        maxTokensCeiling: 256,
        promptCache: true
      },
      fetch,
      log,
      now: Date.now
    });
    const pool = { tools: async () => ({ tools: [], refs: new Map(), unavailable: [] }) } as unknown as McpPool;
    const events: string[] = [];
    // Act
    const result = await runTurn(broken, 'Hello?', {
      llm,
      pool,
      maxTurns: 3,
      limits: { contextTokens: 200_000, maxTokens: 256, maxTokensCeiling: 256, toolResultChars: 4_000 },
      emit: (event) => void events.push(event),
      onDelay: () => undefined,
      onLlmFailure: async () => undefined,
      tools: { report: async () => false, watch: undefined, healingWaitMs: 0, log },
      signal: new AbortController().signal
    });
    // Assess
    expect(asIs).toBeInstanceOf(BadRequestError);
    expect(String((asIs as BadRequestError).message)).toContain('`tool_use` ids were found without `tool_result` blocks');
    expect(result.ok).toBe(true);
    expect(events).not.toContain('error');
    const sent = standin.requests().at(-1)!;
    expect(sent.status).toBe(200);
    expect(JSON.stringify(sent.body)).not.toContain('toolu_01Cut');
    expect(result.ok && result.history.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });
});
