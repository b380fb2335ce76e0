import { brokerAudience, OIDC_KINDS, oidcSubject, subjectAllowed, type OidcKind } from '../../shared/trust/identity.js';
import { compileExpression, type Attributes } from './filters.js';
import type { Broker, EventPolicy } from './resources.js';

/*
 * EventPolicies as Eventing applies them at a Broker's ingress (knative/eventing pkg/auth/event_policy.go,
 * verifier.go):
 * - a policy applies to the Broker when its `to` is empty, names the Broker by ref, or selects it by label;
 * - `from` resolves to subjects: `sub` as written (a trailing `*` matches a prefix), a `ref` to the identity the
 *   referenced object sends with (a SinkBinding's, a PingSource's, …);
 * - the first policy (by name) whose subjects include the sender decides, by its filters (Eventing returns on the first
 *   match; it does not look further), and a sender no policy names is refused;
 * - with no applying policy, the default authorization mode `allow-same-namespace` lets the Broker's namespace in.
 */

export interface PolicyDecision {
  allowed: boolean;
  reason: string;
}

interface CompiledPolicy {
  name: string;
  appliesTo(broker: { namespace: string; name: string; labels: Record<string, string> }): boolean;
  subjects: string[];
  passes(attrs: Attributes): boolean;
}

/** The subjects one `from` entry names; warnings for what cannot be resolved locally. */
function subjectsOf(policy: EventPolicy, namespace: string, warn: (m: string) => void): string[] {
  return (policy.spec?.from ?? []).flatMap((f) => {
    if (f.sub !== undefined) return [f.sub];
    const ref = f.ref!;
    if (!(ref.kind in OIDC_KINDS)) {
      warn(`EventPolicy ${policy.metadata.name}: from.ref ${ref.kind}/${ref.name} has no identity the local broker knows`);
      return [];
    }
    return [oidcSubject(ref.kind as OidcKind, ref.namespace ?? namespace, ref.name)];
  });
}

function compile(policy: EventPolicy, defaultNamespace: string, warn: (m: string) => void): CompiledPolicy {
  const namespace = policy.metadata.namespace ?? defaultNamespace;
  const group = (apiVersion: string): string => apiVersion.split('/')[0]!.toLowerCase();
  const to = policy.spec?.to ?? [];
  if (to.some((t) => t.selector?.matchExpressions?.length))
    warn(`EventPolicy ${policy.metadata.name}: matchExpressions are not evaluated locally; those entries select nothing`);
  const filters = (policy.spec?.filters ?? []).map(compileExpression);
  return {
    name: policy.metadata.name,
    appliesTo: (b) =>
      b.namespace === namespace &&
      (to.length === 0 ||
        to.some((t) =>
          t.ref
            ? group(t.ref.apiVersion) === 'eventing.knative.dev' &&
              t.ref.kind.toLowerCase() === 'broker' &&
              t.ref.name === b.name
            : t.selector !== undefined &&
              !t.selector.matchExpressions?.length &&
              group(t.selector.apiVersion) === 'eventing.knative.dev' &&
              t.selector.kind.toLowerCase() === 'broker' &&
              Object.entries(t.selector.matchLabels ?? {}).every(([k, v]) => b.labels[k] === v)
        )),
    subjects: subjectsOf(policy, namespace, warn),
    passes: (attrs) => filters.every((m) => m(attrs))
  };
}

/**
 * Compiles the EventPolicies for the broker ingress.
 *
 * @example
 * const authorize = compilePolicies(policies, brokers, { namespace: 'cortex', warn });
 * authorize('cortex/default', 'system:serviceaccount:cortex:chat-oidc-sources.knative.dev-sinkbinding', attrs);
 */
export function compilePolicies(
  policies: readonly EventPolicy[],
  brokers: readonly Broker[],
  opts: { namespace: string; warn(message: string): void }
): (brokerKey: string, subject: string, attrs: Attributes) => PolicyDecision {
  const compiled = [...policies]
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((p) => compile(p, opts.namespace, opts.warn));
  const labels = new Map(
    brokers.map((b) => [
      `${b.metadata.namespace ?? opts.namespace}/${b.metadata.name}`,
      (b.metadata.labels ?? {}) as Record<string, string>
    ])
  );
  return (brokerKey, subject, attrs) => {
    const [namespace, name] = brokerKey.split('/') as [string, string];
    const applying = compiled.filter((p) => p.appliesTo({ namespace, name, labels: labels.get(brokerKey) ?? {} }));
    if (applying.length === 0) {
      const allowed = subject.startsWith(`system:serviceaccount:${namespace}:`);
      return {
        allowed,
        reason: allowed ? 'same namespace' : `no EventPolicy applies and ${subject} is not of namespace ${namespace}`
      };
    }
    const deciding = applying.find((p) => subjectAllowed(subject, p.subjects));
    if (!deciding)
      return { allowed: false, reason: `${subject} is named by no EventPolicy of ${brokerAudience(namespace, name)}` };
    return deciding.passes(attrs)
      ? { allowed: true, reason: `EventPolicy ${deciding.name}` }
      : { allowed: false, reason: `EventPolicy ${deciding.name} does not let ${subject} send ${String(attrs.type)}` };
  };
}
