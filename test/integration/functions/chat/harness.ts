import chat from '../../../../functions/chat/index.js';
import {
  startClaudeStandin,
  type ClaudeStandin,
  type ClaudeStandinOptions
} from '../../../../local/claude-standin/index.js';
import { startMcpDemo, type McpDemo } from '../../../../local/mcp-demo/index.js';
import { createLogger } from '../../../../shared/runtime/logging.js';
import { run, type RunningFunction } from '../../../../shared/runtime/run.js';
import { startFakeRelay, type FakeRelay } from '../../../fakes/relay.js';
import { startFakeSink, type FakeSink } from '../../../fakes/sink.js';
import { TEST_KEY_ENV } from '../../../helpers/signing.js';

export const SECRET = 'chat-test-secret-0123456789';
export const DEMO_TARGET = { namespace: 'demo', service: 'mcp-demo' };
const silent = createLogger({ name: 'test', level: 'silent' });

/** The chat served for real (run()), with the Claude stand-in, the demo MCP server, a fake sink and a fake relay. */
export interface ChatHarness {
  chat: RunningFunction;
  standin: ClaudeStandin;
  demo: McpDemo;
  sink: FakeSink;
  relay: FakeRelay;
  /** Restarts the demo MCP server on the same port (after a test stopped it). */
  restartDemo(): Promise<McpDemo>;
  stop(): Promise<void>;
}

/**
 * Starts everything; `env` overrides the chat's configuration, `servers` replaces the MCP server list and
 * `standin` sets the Claude stand-in's options (context window, cache minimum).
 */
export async function startChatHarness(
  opts: {
    env?: Record<string, string>;
    servers?: (demoUrl: string) => unknown[] | Promise<unknown[]>;
    standin?: Partial<ClaudeStandinOptions>;
  } = {}
): Promise<ChatHarness> {
  const [standin, sink, relay] = await Promise.all([
    startClaudeStandin({ log: silent, pacingMs: 0, ...opts.standin }),
    startFakeSink(),
    startFakeRelay({ secret: SECRET })
  ]);
  let demo = await startMcpDemo({ log: silent });
  const servers = (await opts.servers?.(demo.url)) ?? [{ name: 'demo', url: demo.url, target: DEMO_TARGET }];
  const fn = await run(chat, {
    overrides: {
      PORT: '0',
      HOST: '127.0.0.1',
      K_SINK: sink.url,
      CORTEX_LOG_LEVEL: 'silent',
      CORTEX_SESSION_SECRET: SECRET,
      ...TEST_KEY_ENV,
      CORTEX_RELAY_URL: relay.url,
      ANTHROPIC_BASE_URL: standin.url,
      ANTHROPIC_API_KEY: '',
      CORTEX_MCP_SERVERS: JSON.stringify(servers),
      CORTEX_MCP_CALL_TIMEOUT_MS: '2000',
      CORTEX_HEALING_WAIT_MS: '10000',
      CORTEX_LLM_MAX_RETRIES: '2',
      ...opts.env
    }
  });
  return {
    chat: fn,
    standin,
    get demo() {
      return demo;
    },
    sink,
    relay,
    async restartDemo() {
      demo = await startMcpDemo({ log: silent, port: demo.port });
      return demo;
    },
    async stop() {
      await fn.stop();
      await Promise.all([standin.stop(), demo.stop(), sink.close(), relay.close()]);
    }
  };
}
