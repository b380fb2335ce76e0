import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCutProxy, type CutProxy } from '../../../helpers/cut-proxy.js';
import { names, postChat } from '../../../helpers/chat.js';
import { DEMO_TARGET, startChatHarness, type ChatHarness } from './harness.js';

describe('Function: chat with an MCP server that was down before its tools were ever listed', () => {
  let h: ChatHarness;
  let proxy: CutProxy | undefined;

  beforeAll(async () => {
    // The demo server's Service refuses every connection (no ready endpoints) from before the chat starts.
    h = await startChatHarness({
      env: { CORTEX_HEALING_WAIT_MS: '5000' },
      servers: async (demoUrl) => {
        proxy = await startCutProxy(Number(new URL(demoUrl).port));
        proxy.refuse(true);
        return [{ name: 'demo', url: `${proxy.url}/mcp`, target: DEMO_TARGET }];
      }
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await h.stop();
  });

  it('reports the failed listing, streams the healing, lists the server after healing_complete and uses its tool', async () => {
    // Prepare
    const before = h.sink.events.length;
    // Act
    const reply = await postChat(
      h.chat.url,
      { message: 'Use the get_service_status tool please.' },
      {
        onEvent: async (e) => {
          if (e.event !== 'session') return;
          const sessionId = String(e.data.sessionId);
          const [report] = await h.sink.waitFor(before + 1).then((all) => all.slice(before));
          expect(report!.data).toMatchObject({ category: 'mcp_unreachable', target: DEMO_TARGET, sessionId });
          h.relay.push(sessionId, 'healing_start', {
            service: 'mcp-demo',
            issue: 'mcp_unreachable',
            healingId: 'h-unlisted',
            target: DEMO_TARGET,
            checks: []
          });
          proxy!.refuse(false);
          h.relay.push(sessionId, 'healing_complete', {
            service: 'mcp-demo',
            success: true,
            message: 'scaled mcp-demo to 1',
            healingId: 'h-unlisted',
            target: DEMO_TARGET,
            actions: ['scale_up'],
            durationMs: 1
          });
        }
      }
    );
    // Assess
    expect(names(reply).filter((n) => n !== 'token')).toEqual([
      'session',
      'healing_start',
      'healing_complete',
      'tool_call',
      'tool_result',
      'done'
    ]);
    expect(reply.events.find((e) => e.event === 'tool_result')?.data).toMatchObject({
      name: 'get_service_status',
      isError: false
    });
    expect(h.sink.events.slice(before).map((e) => e.type)).toEqual(['dev.cortex.error.reported']);
  });
});
