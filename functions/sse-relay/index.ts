import { Events } from '../../shared/events/catalog.js';
import { CATALOG, CORTEX_TYPE_PREFIX } from '../../shared/events/registry.js';
import { defineFunction, type AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { clientsGauge } from './hub.js';
import { relaySetup } from './setup.js';
import { relayPage, relayStreams } from './routes.js';
import { STREAMED } from './mapping.js';
import { RELAY_SPLIT, refusedEvents } from './role.js';

/**
 * The SSE relay (DESIGN §7): every Cortex event arrives through a Trigger, is appended to the logs of the sessions it
 * is for and to the operator log (in memory, or Redis Streams shared by every replica), and each replica streams those
 * logs to its own browsers. Chat sessions get their healings (`GET /events?session=…&token=…`); operators get every
 * CloudEvent whole, dead letters included (`GET /events?operator=1`). It also serves the web page. In a cluster,
 * the cluster-local `sse-relay-ingest` takes the deliveries and the public `sse-relay` streams (role.ts).
 */
export default defineFunction({
  name: 'sse-relay',
  description: 'Streams healing events to chat sessions and every event to operators over SSE; serves the web page.',
  on: CATALOG.filter((d) => d.type.startsWith(CORTEX_TYPE_PREFIX)),
  // The coordinator's missed PingSource ticks come here as dead letters too, so operators see every dead letter.
  deadLetters: [Events.PingTick],
  emits: [],
  // Session and operator logs, and who follows which healing: Redis Streams shared by any number of replicas.
  sharedState: 'redis',
  // What reaches a browser's stream must be signed by the coordinator or the chat; anything else gets 401.
  trust: { verify: [{ types: STREAMED, key: 'stream', refuse: 'reject' }] },
  knative: {
    minScale: 1,
    timeoutSeconds: 600,
    concurrency: 0,
    scaleReason:
      'Any number of replicas with CORTEX_REDIS_URL: a Trigger delivers each event to one pod, which appends it to Redis ' +
      'Streams that every replica follows for its own browsers. Without Redis the logs live in the process: one replica. ' +
      'Unlimited concurrency: every open SSE stream is a request. Streams are cut at timeoutSeconds and resume with Last-Event-ID.',
    memory: { request: '128Mi', limit: '512Mi' },
    secrets: ['cortex-secrets'],
    // Nobody outside the cluster may put an event into a stream: the Triggers' subscriber is cluster-local.
    split: RELAY_SPLIT
  },
  setup: relaySetup,
  refuseEvents: (config) => refusedEvents(config.relay.role),
  async handle(event, { deps }) {
    await deps.ingest(event);
    return [];
  },
  rawRoutes: ({ deps }) => relayPage(deps),
  streams: ({ deps }) => relayStreams(deps),
  metrics: ({ deps }) => [clientsGauge(deps.hub)]
}) satisfies AnyFunctionDef;
