import type { IncomingMessage, ServerResponse } from 'node:http';
import { EXTENSIONS } from '../../shared/events/attributes.js';
import { attributesOf, type CloudEventRecord } from '../../shared/events/http.js';
import { InvalidEventError, RequestError, TransientError, type CortexError } from '../../shared/runtime/errors.js';
import type { Logger } from '../../shared/runtime/logging.js';
import { KNATIVE_DEFAULT_DELIVERY } from './delivery-policy.js';
import { Dispatcher, prepareEvent, type AcceptedEvent } from './dispatcher.js';
import { createDeliveryClient } from './delivery-client.js';
import { createIngressHandler } from './ingress.js';
import { BrokerObserver, type BrokerStats, type OutcomeKind, type OutcomeListener } from './observer.js';
import type { Resolve } from './resolve.js';
import type { Broker, DeliverySpec, Destination, EventPolicy, Trigger } from './resources.js';
import { brokerAudience, oidcSubject } from '../../shared/trust/identity.js';
import { bearerToken } from '../../shared/trust/delivery-auth.js';
import type { Headers } from '../../shared/events/http.js';
import { tokenCache, type LocalIssuer } from './issuer.js';
import { compilePolicies, type PolicyDecision } from './policies.js';
import { buildRoutes, type Route, type RouteTable } from './routes.js';
import { ingressTtl } from './ttl.js';

export interface CreateBrokerOptions {
  /** Namespace of the default broker, and of Triggers and Brokers that name none. */
  namespace: string;
  /** Name of the default broker (always served). Default `default`. */
  name?: string;
  triggers: Trigger[];
  brokers: Broker[];
  resolve: Resolve;
  log: Logger;
  /** Ingress body limit; larger requests get 413. Default 256 KiB. Replies are held to it too. */
  bodyLimitBytes?: number;
  /** Delivery when neither the Trigger nor its Broker has one. Default Knative's: retry 10, exponential, PT0.2S. */
  defaultDelivery?: DeliverySpec;
  /** Cap on honouring Retry-After when the delivery spec sets no `retryAfterMax`. Default 10 s. */
  retryAfterCapMs?: number;
  /** Deliveries in progress beyond which the ingress answers 503 (retried by senders). Default 100 000. */
  maxPendingDeliveries?: number;
  /** How long `stop()` lets requests in flight finish before aborting them. Default 2 s. */
  shutdownGraceMs?: number;
  /**
   * Eventing's authentication-oidc: the ingress takes only events with a valid token for the Broker's audience that its
   * EventPolicies allow (401/403 otherwise), and deliveries to a Destination with an `audience` carry a token of the
   * Trigger's identity. Without it, tokens are neither asked for nor sent and EventPolicies are not enforced.
   */
  oidc?: LocalIssuer;
  eventPolicies?: EventPolicy[];
}

/** The local broker: an ingress handler, in-process routing and delivery, counters and outcome events. */
export interface LocalBroker {
  /** The ingress as a node:http request listener (`POST /<namespace>/<broker>`, `GET /healthz`). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Every broker served (`namespace/name`) with the Triggers listening on it. */
  topology(): Record<string, string[]>;
  /** Replaces the Triggers, Brokers and EventPolicies (deliveries in progress keep their old route). */
  setResources(resources: { triggers: Trigger[]; brokers: Broker[]; eventPolicies?: EventPolicy[] }): void;
  stats(): BrokerStats;
  on(kind: OutcomeKind | 'outcome', listener: OutcomeListener): void;
  off(kind: OutcomeKind | 'outcome', listener: OutcomeListener): void;
  /** Stops accepting; pending deliveries end as dropped (logged with their reason) after the grace period. */
  stop(): Promise<void>;
}

/** What the ingress does with an event; `recorded` = the refusal was already counted and logged (a TTL stop). */
export type IngestResult = { accepted: true } | { accepted: false; error: CortexError; recorded: boolean };

const DEFAULT_BODY_LIMIT = 256 * 1024;

/** The time now as RFC 3339, formatted once per millisecond: under load many events arrive in the same one. */
let lastMs = 0;
let lastIso = '';
function arrivalTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}
const refuse = (error: CortexError): IngestResult => ({ accepted: false, error, recorded: false });

/**
 * Creates a Knative-compatible broker from Trigger and Broker objects.
 *
 * @example
 * const broker = createBroker({ namespace: 'cortex', triggers, brokers, resolve, log });
 * http.createServer(broker.handle).listen(0);
 */
export function createBroker(opts: CreateBrokerOptions): LocalBroker {
  const defaultBroker = `${opts.namespace}/${opts.name ?? 'default'}`;
  const bodyLimitBytes = opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const maxPending = opts.maxPendingDeliveries ?? 100_000;
  const log = opts.log;
  const observer = new BrokerObserver(log);
  const client = createDeliveryClient();
  let table: RouteTable = compile(opts.triggers, opts.brokers);
  let stopped = false;
  const oidc = opts.oidc;
  const tokens = oidc ? tokenCache(oidc) : undefined;
  const policiesOf = (policies: EventPolicy[] | undefined, brokers: Broker[]) =>
    compilePolicies(policies ?? [], brokers, { namespace: opts.namespace, warn: (m) => log.warn(m) });
  let authorize = policiesOf(opts.eventPolicies, opts.brokers);

  /** With OIDC: who sent the event (401 without a valid token) and whether the EventPolicies let them (403). */
  async function authenticate(headers: Headers, event: CloudEventRecord, broker: string): Promise<CortexError | undefined> {
    if (!oidc) return undefined;
    const [namespace, name] = broker.split('/') as [string, string];
    const audience = brokerAudience(namespace, name);
    const token = bearerToken(headers);
    if (!token)
      return new RequestError(401, 'unauthenticated', `no token: the broker takes events with a token for ${audience}`);
    let subject: string;
    try {
      subject = await oidc.verify(token, audience);
    } catch (err) {
      return new RequestError(401, 'unauthenticated', `token refused: ${(err as Error).message}`);
    }
    const decision: PolicyDecision = authorize(broker, subject, attributesOf(event));
    return decision.allowed ? undefined : new RequestError(403, 'forbidden', decision.reason);
  }

  /** With OIDC, a delivery to a Destination that names an audience carries a token of the Trigger's own identity. */
  async function deliveryHeaders(route: Route, dest: Destination): Promise<Record<string, string>> {
    const audience = typeof dest.audience === 'string' ? dest.audience : undefined;
    if (!tokens || !audience) return {};
    const [namespace, name] = route.trigger.split('/') as [string, string];
    return { authorization: `Bearer ${await tokens.get(oidcSubject('Trigger', namespace, name), audience)}` };
  }

  function compile(triggers: Trigger[], brokers: Broker[]): RouteTable {
    const next = buildRoutes(triggers, brokers, {
      namespace: opts.namespace,
      defaultBroker,
      defaultDelivery: opts.defaultDelivery ?? KNATIVE_DEFAULT_DELIVERY
    });
    for (const warning of next.warnings) log.warn(warning);
    return next;
  }

  /**
   * Accepts an event into a broker: TTL, arrival time, routing. A refusal says whether it was already recorded.
   * `arrivedData`: the body of an event that arrived in binary mode, forwarded as it is.
   */
  function ingest(broker: string, event: CloudEventRecord, arrivedData?: Buffer): IngestResult {
    const routes = table.byBroker.get(broker);
    if (!routes) return refuse(new RequestError(404, 'not_found', `no broker ${broker}`));
    if (stopped) return refuse(new TransientError('the broker is stopping'));
    const { ttl, malformed } = ingressTtl(event[EXTENSIONS.brokerTtl]);
    const { id, type, source } = event;
    if (malformed) log.warn({ id, type, value: event[EXTENSIONS.brokerTtl] }, 'knativebrokerttl is not an integer; reset');
    if (ttl <= 0) {
      const reason = `knativebrokerttl exhausted (${ttl}): the event looped through the broker too often`;
      observer.record({ kind: 'ttl-expired', broker, id, type, source, ttl, reason }, event);
      return { accepted: false, error: new InvalidEventError(reason), recorded: true };
    }
    const record: CloudEventRecord = {
      ...event,
      [EXTENSIONS.brokerTtl]: ttl,
      [EXTENSIONS.arrivalTime]: arrivalTime()
    };
    const attrs = attributesOf(record);
    const matching = routes.filter((r) => r.matches(attrs));
    if (dispatcher.size + matching.length > maxPending) {
      return refuse(new TransientError(`broker overloaded: ${dispatcher.size} deliveries pending`));
    }
    observer.record({ kind: 'accepted', broker, id, type, source, ttl }, record);
    if (matching.length === 0) {
      observer.record({ kind: 'unrouted', broker, id, type, source, reason: 'no Trigger matches' }, record);
      return { accepted: true };
    }
    const accepted = prepareEvent(record, ttl, arrivedData);
    for (const route of matching) dispatcher.dispatch(accepted, route);
    return { accepted: true };
  }

  function onReply(reply: CloudEventRecord, cause: AcceptedEvent, route: Route): void {
    // The delivered event's TTL goes on the reply; the ingress then takes one off.
    const result = ingest(route.broker, { ...reply, [EXTENSIONS.brokerTtl]: cause.ttl });
    const { id, type, source } = reply;
    const where = { broker: route.broker, trigger: route.trigger, id, type, source };
    if (result.accepted) observer.record({ kind: 'reply', ...where, ttl: cause.ttl - 1 }, reply);
    else if (!result.recorded) {
      observer.record({ kind: 'dropped', ...where, reason: `reply not accepted: ${result.error.message}` }, reply);
    }
  }

  const dispatcher = new Dispatcher({
    client,
    resolve: opts.resolve,
    observer,
    onReply,
    retryAfterCapMs: opts.retryAfterCapMs ?? 10_000,
    maxResponseBytes: bodyLimitBytes,
    // Without OIDC a delivery has no extra headers: no call (and no await) per delivery.
    ...(tokens ? { deliveryHeaders } : {})
  });

  const handle = createIngressHandler({
    bodyLimitBytes,
    log,
    observer,
    hasBroker: (key) => table.byBroker.has(key),
    brokers: () => [...table.byBroker.keys()],
    ingest,
    ...(oidc ? { authenticate } : {}),
    ...(oidc ? { oidc } : {})
  });

  return {
    handle,
    topology: () => Object.fromEntries([...table.byBroker].map(([b, routes]) => [b, routes.map((r) => r.trigger)])),
    setResources: (resources) => {
      table = compile(resources.triggers, resources.brokers);
      authorize = policiesOf(resources.eventPolicies, resources.brokers);
    },
    stats: () => observer.stats(dispatcher.size),
    on: (kind, listener) => observer.on(kind, listener),
    off: (kind, listener) => observer.off(kind, listener),
    stop: async () => {
      stopped = true;
      await dispatcher.stop(opts.shutdownGraceMs ?? 2000);
      client.close();
    }
  };
}
