import type { NetworkPolicy } from '../../shared/kube/port.js';

/*
 * NetworkPolicy ingress evaluation (networking.k8s.io/v1 semantics), pure. A pod is isolated for ingress when a
 * policy that applies to Ingress selects it; then traffic is admitted only if some rule of some selecting policy
 * admits it. Results are three-valued: the chat's pod IP is not known here, so an ipBlock peer is "unknown".
 */

export type Tri = true | false | 'unknown';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Where traffic comes from. */
export interface TrafficSource {
  namespace: string;
  podLabels: Readonly<Record<string, string>>;
  namespaceLabels: Readonly<Record<string, string>>;
}

/** Where it goes: a pod's labels and one port (number and, when the container names it, its name). */
export interface TrafficDestination {
  namespace: string;
  podLabels: Readonly<Record<string, string>>;
  port: number | undefined;
  portName: string | undefined;
  protocol: string;
}

export interface PolicyVerdict {
  policy: string;
  /** The policy selects the destination pod and applies to Ingress. */
  isolates: boolean;
  admits: Tri;
  why: string;
}

/**
 * Kubernetes label selector semantics: an empty selector matches everything; matchExpressions In, NotIn, Exists,
 * DoesNotExist; an unknown operator matches nothing.
 *
 * @example
 * matchesSelector({ matchLabels: { app: 'x' } }, { app: 'x', tier: 'web' }); // → true
 */
export function matchesSelector(sel: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]!);
    const ok =
      e.operator === 'In'
        ? inValues
        : e.operator === 'NotIn'
          ? !inValues
          : e.operator === 'Exists'
            ? has
            : e.operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

const and = (a: Tri, b: Tri): Tri =>
  a === false || b === false ? false : a === 'unknown' || b === 'unknown' ? 'unknown' : true;
const any = (xs: readonly Tri[]): Tri => (xs.includes(true) ? true : xs.includes('unknown') ? 'unknown' : false);

type Rule = NonNullable<NonNullable<NetworkPolicy['spec']>['ingress']>[number];
type Peer = NonNullable<Rule['_from']>[number];
type PolicyPort = NonNullable<Rule['ports']>[number];

function peerAdmits(peer: Peer, policyNs: string, src: TrafficSource): Tri {
  if (peer.ipBlock) {
    // The source pod's IP is not known here; only "everything" is certain.
    const all = (peer.ipBlock.cidr === '0.0.0.0/0' || peer.ipBlock.cidr === '::/0') && !(peer.ipBlock.except ?? []).length;
    return all ? true : 'unknown';
  }
  if (!peer.podSelector && !peer.namespaceSelector) return false;
  const nsOk = peer.namespaceSelector
    ? matchesSelector(peer.namespaceSelector, src.namespaceLabels)
    : src.namespace === policyNs;
  return nsOk && matchesSelector(peer.podSelector, src.podLabels);
}

function portAdmits(p: PolicyPort, dst: TrafficDestination): Tri {
  if ((p.protocol ?? 'TCP') !== dst.protocol) return false;
  if (p.port === undefined || p.port === null) return true;
  if (typeof p.port === 'number') {
    if (dst.port === undefined) return 'unknown';
    return p.endPort !== undefined && p.endPort !== null ? dst.port >= p.port && dst.port <= p.endPort : dst.port === p.port;
  }
  if (dst.portName !== undefined) return p.port === dst.portName;
  // A named policy port against a numeric target port whose container names no port: it cannot match.
  return dst.port === undefined ? 'unknown' : false;
}

// The wire name is `from`; @kubernetes/client-node deserializes it to `_from`. Accept both shapes.
const peersOf = (rule: Rule): Peer[] | undefined => rule._from ?? (rule as { from?: Peer[] }).from;

function ruleAdmits(rule: Rule, policyNs: string, src: TrafficSource, dst: TrafficDestination): Tri {
  const peers = peersOf(rule);
  const ports: Tri = rule.ports?.length ? any(rule.ports.map((p) => portAdmits(p, dst))) : true;
  const from: Tri = peers?.length ? any(peers.map((peer) => peerAdmits(peer, policyNs, src))) : true;
  return and(ports, from);
}

/**
 * One policy against one flow: does it isolate the destination pod for ingress, and does it admit the flow.
 *
 * @example
 * evaluatePolicy(denyAll, chat, { namespace: 'demo', podLabels: { app: 'x' }, port: 8080, portName: 'http', protocol: 'TCP' });
 * // → { policy: 'deny-all', isolates: true, admits: false, why: 'denies all ingress (no ingress rules)' }
 */
export function evaluatePolicy(np: NetworkPolicy, src: TrafficSource, dst: TrafficDestination): PolicyVerdict {
  const policy = np.metadata?.name ?? '?';
  const ns = np.metadata?.namespace ?? dst.namespace;
  const spec = np.spec;
  // No policyTypes: Ingress always applies, Egress only when there are egress rules (API defaulting).
  const types = spec?.policyTypes ?? ['Ingress', ...(spec?.egress?.length ? ['Egress'] : [])];
  const selects = ns === dst.namespace && matchesSelector(spec?.podSelector ?? {}, dst.podLabels);
  if (!selects || !types.includes('Ingress')) {
    return { policy, isolates: false, admits: true, why: selects ? 'applies to egress only' : 'does not select the pods' };
  }
  const rules = spec?.ingress ?? [];
  if (rules.length === 0) return { policy, isolates: true, admits: false, why: 'denies all ingress (no ingress rules)' };
  const admits = any(rules.map((r) => ruleAdmits(r, ns, src, dst)));
  const why =
    admits === true
      ? 'an ingress rule admits it'
      : admits === 'unknown'
        ? 'only an ipBlock rule could admit it (the source pod IP is not known)'
        : `none of its ${rules.length} ingress rule(s) admits it`;
  return { policy, isolates: true, admits, why };
}

/**
 * All policies of the destination's namespace against one flow: admitted when no policy isolates the pod or some
 * isolating policy admits it; `blocking` names the isolating policies when none does.
 *
 * @example
 * evaluateIngress([denyAll, allowChat], chat, dst).admits; // → true
 */
export function evaluateIngress(
  policies: readonly NetworkPolicy[],
  src: TrafficSource,
  dst: TrafficDestination
): { admits: Tri; isolating: PolicyVerdict[]; blocking: string[] } {
  const isolating = policies.map((p) => evaluatePolicy(p, src, dst)).filter((v) => v.isolates);
  if (isolating.length === 0) return { admits: true, isolating, blocking: [] };
  const admits = any(isolating.map((v) => v.admits));
  return { admits, isolating, blocking: admits === false ? isolating.map((v) => v.policy) : [] };
}
