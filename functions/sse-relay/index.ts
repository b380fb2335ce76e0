import { CATALOG, CORTEX_TYPE_PREFIX, Events } from '../../shared/events/catalog.js';
import { defineFunction, type AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { relaySetup } from './hub.js';
import { relayRoutes } from './routes.js';
import { STREAMED } from './mapping.js';

/**
 * The SSE relay (DESIGN §7): every Cortex event arrives through a Trigger, goes into a bounded buffer and out to the
 * browsers it is for. Chat sessions get their healings (`GET /events?session=…&token=…`); operators get every
 * CloudEvent whole, dead letters included (`GET /events?operator=1`). It also serves the web page.
 */
export default defineFunction({
  name: 'sse-relay',
  description: 'Streams healing events to chat sessions and every event to operators over SSE; serves the web page.',
  on: CATALOG.filter((d) => d.type.startsWith(CORTEX_TYPE_PREFIX)),
  // The coordinator's missed PingSource ticks come here as dead letters too, so operators see every dead letter.
  deadLetters: [Events.PingTick],
  emits: [],
  requires: ['sessionSecret', 'operatorToken'],
  // What reaches a browser's stream must be signed by the coordinator or the chat; anything else gets 401.
  trust: { verify: [{ types: STREAMED, key: 'stream', refuse: 'reject' }] },
  knative: {
    minScale: 1,
    maxScale: 1,
    timeoutSeconds: 600,
    concurrency: 0,
    scaleReason:
      'One replica: a Trigger delivers each event to one pod, so browsers connected to another replica would miss it, ' +
      'and the resume buffer lives in this process. Scaling out needs Redis pub/sub (live) and streams (replay). ' +
      'Unlimited concurrency: every open SSE stream is a request. Streams are cut at timeoutSeconds and resume with Last-Event-ID.',
    memory: { request: '128Mi', limit: '512Mi' },
    secrets: ['cortex-secrets']
  },
  setup: relaySetup,
  async handle(event, { deps }) {
    deps.hub.ingest(event);
    return [];
  },
  routes: (router, { deps }) => relayRoutes(router, deps),
  metrics: ({ deps }) => [
    {
      name: 'cortex_sse_clients',
      help: 'Open SSE streams by kind (session: a chat session, operator: the operator stream).',
      labelNames: ['kind'],
      read: () => {
        const s = deps.hub.stats();
        return [
          { labels: { kind: 'session' }, value: s.session },
          { labels: { kind: 'operator' }, value: s.operator }
        ];
      }
    }
  ]
}) satisfies AnyFunctionDef;
