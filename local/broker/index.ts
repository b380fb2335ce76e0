export { createBroker, type CreateBrokerOptions, type LocalBroker, type IngestResult } from './broker.js';
export { startBroker, type StartBrokerOptions, type RunningBroker } from './start.js';
export { loadKnativeDir, parseManifests, type KnativeResources } from './loader.js';
export { createResolver, type Resolve } from './resolve.js';
export { KNATIVE_DEFAULT_DELIVERY } from './delivery-policy.js';
export type { Broker, Trigger, DeliverySpec, Destination, KReference, FilterExpression } from './resources.js';
export type { BrokerOutcome, BrokerStats, OutcomeKind, OutcomeListener, TriggerStats } from './observer.js';
export { createLocalIssuer, tokenCache, type LocalIssuer, DISCOVERY_PATH, JWKS_PATH } from './issuer.js';
export type { EventPolicy } from './resources.js';
