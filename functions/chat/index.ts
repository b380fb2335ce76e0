import { Events } from '../../shared/events/catalog.js';
import { defineFunction } from '../../shared/runtime/define-function.js';
import { mountChatRoutes } from './routes.js';
import { chatConfig, createChatService } from './service.js';
import { openChatSessions } from './sessions.js';
import { UsageMeter } from './usage-meter.js';

/**
 * The chat: `POST /chat` streams Claude's answer as SSE, with tools from the configured MCP servers. A failing tool
 * backend is reported (error.reported with its Kubernetes target), its healing is streamed to the user and the call
 * retried once after it; Claude API delays are shown and published as chat.delayed.
 */
export default defineFunction({
  name: 'chat',
  description: 'AI chat over HTTP (SSE): Claude with MCP tools; reports failing tool backends for healing.',
  on: [],
  emits: [Events.ErrorReported, Events.ChatDelayed],
  requires: ['sessionSecret'],
  // Sessions, their history and the turn being answered: on Redis, so a next turn may land on any replica.
  sharedState: 'redis',
  // Its chat.delayed reaches a browser's stream: the relay takes it only signed (docs/security.md).
  trust: { sign: [{ types: [Events.ChatDelayed], key: 'stream' }] },
  knative: {
    // Streams last as long as an answer, including a healing wait: Knative's maximum request timeout.
    timeoutSeconds: 600,
    memory: { request: '192Mi', limit: '512Mi' },
    concurrency: 100,
    secrets: ['cortex-secrets', 'cortex-anthropic']
  },
  setup: async ({ config, ...ctx }) => {
    const meter = new UsageMeter();
    const { sessions, close } = await openChatSessions(config, ctx);
    ctx.onShutdown(close);
    return {
      chat: createChatService({ ...ctx, meter, sessions, config: chatConfig(config) }),
      meter,
      maxMessageBytes: config.chat.maxMessageBytes,
      allowedOrigins: config.security.allowedOrigins
    };
  },
  async handle() {
    return []; // subscribes to no events: the chat is driven by HTTP
  },
  routes(router, { deps }) {
    mountChatRoutes(router, deps.chat, deps);
  },
  // Claude token usage and what prompt caching saved.
  metrics: ({ deps }) => deps.meter.gauges()
});
