import * as z from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { first, names, postChat } from '../../../helpers/chat.js';
import { startMcpLab, type McpLab } from '../../../helpers/mcp-lab.js';
import { startChatHarness, type ChatHarness } from './harness.js';

/*
 * A long session against a small context window: 200 messages, each calling a tool that returns about 6,000
 * characters. Without a token budget the history outgrows the window within a few turns and every later message
 * fails with a 400 "prompt is too long". With it, every message is answered and no request goes over the window.
 */

const WINDOW = 12_000;
const TURNS = 200;

describe('Function: chat keeps a 200-turn session with large tool results inside the context window', () => {
  let lab: McpLab;
  let h: ChatHarness;

  beforeAll(async () => {
    lab = await startMcpLab({
      tools(s) {
        s.registerTool(
          'big_report',
          { description: 'A long report', inputSchema: { topic: z.string() } },
          async ({ topic }) => ({
            content: [{ type: 'text', text: `Report on ${topic}: ${'measurement ok; '.repeat(350)}end of report.` }]
          })
        );
      }
    });
    h = await startChatHarness({
      servers: () => [{ name: 'lab', url: lab.url, target: { namespace: 'lab', service: 'mcp-lab' } }],
      standin: { contextWindow: WINDOW },
      env: { CORTEX_CHAT_CONTEXT_TOKENS: String(WINDOW), CORTEX_CHAT_HISTORY_TURNS: '1000', CORTEX_MAX_TOKENS: '512' }
    });
  });
  afterAll(async () => {
    await h?.stop();
    await lab?.stop();
  });

  it('answers every one of 200 messages; the oldest turns and long results are trimmed, the latest kept whole', async () => {
    // Prepare
    const opening = await postChat(h.chat.url, { message: 'Use the big_report tool for topic warmup' });
    const { sessionId, token } = first(opening, 'session') as { sessionId: string; token: string };
    const endings: string[] = [names(opening).at(-1)!];
    // Act
    for (let i = 1; i < TURNS; i++) {
      const reply = await postChat(h.chat.url, { message: `Use the big_report tool for topic t${i}`, sessionId, token });
      endings.push(names(reply).at(-1)!);
    }
    // Assess
    expect(endings.filter((e) => e !== 'done')).toEqual([]);
    const sent = h.standin.requests();
    expect(sent.filter((r) => r.status !== 200)).toEqual([]);
    expect(
      Math.max(...sent.map((r) => r.usage!.inputTokens + r.usage!.cacheReadTokens + r.usage!.cacheCreationTokens))
    ).toBeLessThanOrEqual(WINDOW);
    const last = JSON.stringify((sent.at(-1)!.body as { messages: unknown[] }).messages);
    expect(last).toContain('topic t199');
    expect(last).toContain('end of report.');
    expect(last).not.toContain('topic warmup');
    expect(last).toContain('characters cut to fit the context window');
  }, 240_000);
});
