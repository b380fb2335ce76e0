import { effectiveDeliverySpec, toPolicy, type DeliveryPolicy } from './delivery-policy.js';
import { compileFilter, type Matcher } from './filters.js';
import { keyOf, type Broker, type DeliverySpec, type Destination, type Trigger } from './resources.js';

/** A Trigger compiled for dispatch: where it listens, what it matches, where and how it delivers. */
export interface Route {
  /** `namespace/name` of the Trigger. */
  trigger: string;
  /** `namespace/name` of the Broker it listens on. */
  broker: string;
  matches: Matcher;
  subscriber: Destination;
  policy: DeliveryPolicy;
}

export interface RouteTable {
  /** Broker key → its Triggers' routes, in declaration order. */
  byBroker: Map<string, Route[]>;
  /** Things an operator should know: unsupported filters, Triggers on undeclared brokers. */
  warnings: string[];
}

/** Knative defaults a ref's namespace to the namespace of the object that holds it. */
function withNamespace(dest: Destination, namespace: string): Destination {
  return dest.ref && dest.ref.namespace === undefined ? { ...dest, ref: { ...dest.ref, namespace } } : dest;
}

/**
 * Compiles Triggers into routes. The broker `defaultBroker` (`namespace/name`) always exists; the Brokers listed
 * add more. Delivery: the Trigger's spec, else its Broker's, else `defaultDelivery` (wholesale, never merged).
 */
export function buildRoutes(
  triggers: Trigger[],
  brokers: Broker[],
  opts: { namespace: string; defaultBroker: string; defaultDelivery: DeliverySpec }
): RouteTable {
  const brokerByKey = new Map(brokers.map((b) => [keyOf(b.metadata, opts.namespace), b]));
  const byBroker = new Map<string, Route[]>([[opts.defaultBroker, []]]);
  for (const key of brokerByKey.keys()) byBroker.set(key, []);
  const warnings: string[] = [];
  for (const t of triggers) {
    const namespace = t.metadata.namespace ?? opts.namespace;
    const trigger = keyOf(t.metadata, opts.namespace);
    const broker = `${namespace}/${t.spec.broker}`;
    const routes = byBroker.get(broker);
    if (!routes) {
      warnings.push(`Trigger ${trigger} listens on broker ${broker}, which is not declared: it receives no events`);
      continue;
    }
    const filter = compileFilter(t.spec);
    if (filter.unsupported) warnings.push(`Trigger ${trigger} never matches: ${filter.unsupported}`);
    const spec = effectiveDeliverySpec(t, brokerByKey.get(broker), opts.defaultDelivery);
    const policy = toPolicy(spec);
    if (policy.deadLetterSink) policy.deadLetterSink = withNamespace(policy.deadLetterSink, namespace);
    routes.push({
      trigger,
      broker,
      matches: filter.matches,
      subscriber: withNamespace(t.spec.subscriber, namespace),
      policy
    });
  }
  return { byBroker, warnings };
}
