import { loadFunction } from '../functions/index.js';
import { startClaudeStandin, type ClaudeStandin } from '../local/claude-standin/index.js';
import { startMcpDemo } from '../local/mcp-demo/index.js';
import { createLogger } from '../shared/runtime/logging.js';
import { run, type RunningFunction } from '../shared/runtime/run.js';
import { serve } from './http.js';

/** The chat served for real with the Claude stand-in (pacing 0), the demo MCP server and a sink that accepts all. */
export interface ChatStack {
  chat: RunningFunction;
  standin: ClaudeStandin;
  stop(): Promise<void>;
}

/** Starts the stack; `env` adds to the chat's configuration. */
export async function startChatStack(env: Record<string, string> = {}): Promise<ChatStack> {
  const log = createLogger({ name: 'bench', level: 'silent' });
  const standin = await startClaudeStandin({ log, pacingMs: 0 });
  const demo = await startMcpDemo({ log });
  const sink = await serve((req, res) => void req.resume().on('end', () => res.writeHead(202).end()));
  const chat = await run(await loadFunction('chat'), {
    overrides: {
      PORT: '0',
      HOST: '127.0.0.1',
      K_SINK: `${sink.url}/`,
      CORTEX_LOG_LEVEL: 'silent',
      CORTEX_SESSION_SECRET: 'bench-session-secret-0123456789',
      // The chat signs what it streams to the relay: its Secret would be mounted as this key.
      CORTEX_STREAM_KEY: 'bench-stream-key-'.padEnd(64, '0'),
      ANTHROPIC_BASE_URL: standin.url,
      ANTHROPIC_API_KEY: '',
      CORTEX_MCP_SERVERS: JSON.stringify([
        { name: 'demo', url: demo.url, target: { namespace: 'demo', service: 'mcp-demo' } }
      ]),
      ...env
    }
  });
  return {
    chat,
    standin,
    async stop() {
      await chat.stop();
      await Promise.all([standin.stop(), demo.stop(), sink.close()]);
    }
  };
}
