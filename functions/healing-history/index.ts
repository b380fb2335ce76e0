import { Events } from '../../shared/events/catalog.js';
import { HISTORY_EVENTS, SIGNED_HEALING_EVENTS } from '../../shared/history/record.js';
import { defineFunction, type AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { mcpRoutes } from './mcp.js';
import { createHistory } from './repo.js';
import { historyRoutes } from './routes.js';

/**
 * healing-history (DESIGN §13): records every healing (timeline, findings, actions, outcome, explanation) in the Store
 * (Redis when configured) for CORTEX_HISTORY_DAYS, serves it (`GET /healings`, `GET /healings/<id>`) and is Cortex's
 * MCP server (`POST /mcp`: list_healings, get_healing, report_problem). The operator token sees every healing; the
 * chat's credential (CORTEX_CHAT_TOKEN) sees the targets of the chat's MCP servers. Everything it returns is redacted.
 */
export default defineFunction({
  name: 'healing-history',
  description: 'Keeps every healing and serves it: GET /healings (operator token) and an MCP server for agents.',
  on: HISTORY_EVENTS,
  emits: [Events.ErrorReported],
  requires: ['operatorToken'],
  // Healing events are recorded only when the coordinator (or explain-healing) signed them: no forged history.
  trust: { verify: [{ types: [...SIGNED_HEALING_EVENTS, Events.HealingExplained], key: 'stream', refuse: 'ignore' }] },
  sharedState: 'redis',
  knative: {
    minScale: 1,
    maxScale: 4,
    scaleReason:
      'Any number of replicas with CORTEX_REDIS_URL (records and their index are on Redis; MCP is stateless). ' +
      'Without Redis the history lives in the process: one replica, lost on restart.',
    memory: { request: '64Mi', limit: '256Mi' },
    secrets: ['cortex-secrets']
  },
  setup: ({ config, store, clock }) => ({
    history: createHistory(store, { retentionMs: config.history.retentionMs, now: () => clock.now().getTime() }),
    access: { operatorToken: config.operatorToken, chatToken: config.history.chatToken, chatServers: config.mcp.servers },
    now: () => clock.now().getTime()
  }),
  async handle(event, { deps }) {
    await deps.history.record(event);
    return [];
  },
  routes: (router, ctx) => {
    historyRoutes(router, ctx.deps);
    mcpRoutes(router, { ...ctx.deps, publish: (intents) => ctx.publish(intents), log: ctx.log });
  }
}) satisfies AnyFunctionDef;
