import { createHash } from 'node:crypto';

/*
 * Knative Eventing's OIDC names, computed as Eventing computes them, so the generator, the local broker and the
 * functions agree with a cluster on who is who:
 * - an addressable's audience is `<group>/<kind>/<namespace>/<name>`, lowercased (knative/eventing pkg/auth/audience.go);
 * - a source's, SinkBinding's or Trigger's identity is the ServiceAccount
 *   `ChildName(<name>, "-oidc-<group>-<kind>")` (pkg/auth/serviceaccount.go), as the subject
 *   `system:serviceaccount:<namespace>:<that name>`;
 * - ChildName keeps names within 63 characters with an md5 (knative/pkg kmeta/names.go).
 */

const LONGEST = 63;
const HEAD = LONGEST - 32;

/**
 * knative/pkg kmeta.ChildName: `parent + suffix`, or a hashed form when that is longer than 63 characters.
 *
 * @example
 * childName('healing-tick', '-oidc-sources.knative.dev-pingsource'); // → 'healing-tick-oidc-sources.knative.dev-pingsource'
 */
export function childName(parent: string, suffix: string): string {
  if (parent.length <= LONGEST - suffix.length) return parent + suffix;
  const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
  if (HEAD - suffix.length <= 0) {
    let out = parent.slice(0, HEAD) + md5(parent + suffix);
    if (out.length < LONGEST) out += suffix.slice(0, LONGEST - out.length);
    // makeValidName: no trailing non-alphanumeric character.
    return out.replace(/[^a-zA-Z0-9]+$/, '');
  }
  return parent.slice(0, HEAD - suffix.length) + md5(parent) + suffix;
}

/** The Eventing kinds that send with an identity of their own, by the group of their API version. */
export const OIDC_KINDS = {
  SinkBinding: 'sources.knative.dev',
  PingSource: 'sources.knative.dev',
  ApiServerSource: 'sources.knative.dev',
  ContainerSource: 'sources.knative.dev',
  Trigger: 'eventing.knative.dev',
  Subscription: 'messaging.knative.dev'
} as const;
export type OidcKind = keyof typeof OIDC_KINDS;

/**
 * The OIDC subject an Eventing object sends as.
 *
 * @example
 * oidcSubject('SinkBinding', 'cortex', 'chat'); // → 'system:serviceaccount:cortex:chat-oidc-sources.knative.dev-sinkbinding'
 */
export function oidcSubject(kind: OidcKind, namespace: string, name: string): string {
  const sa = childName(name, `-oidc-${OIDC_KINDS[kind]}-${kind}`).toLowerCase();
  return `system:serviceaccount:${namespace}:${sa}`;
}

/** An addressable's OIDC audience. */
export const audienceOf = (group: string, kind: string, namespace: string, name: string): string =>
  `${group}/${kind}/${namespace}/${name}`.toLowerCase();

/** The audience of a Broker: what its ingress takes tokens for. */
export const brokerAudience = (namespace: string, name: string): string =>
  audienceOf('eventing.knative.dev', 'Broker', namespace, name);

/** The audience of a Knative Service, named by the Triggers' `subscriber.audience` and verified by the function. */
export const serviceAudience = (namespace: string, name: string): string =>
  audienceOf('serving.knative.dev', 'Service', namespace, name);

/**
 * True when `subject` is one of `allowed`: equal, or matching a pattern that ends in `*` (EventPolicy `sub` syntax).
 *
 * @example
 * subjectAllowed('system:serviceaccount:cortex:x', ['system:serviceaccount:cortex:*']); // → true
 */
export function subjectAllowed(subject: string, allowed: readonly string[]): boolean {
  return allowed.some((a) =>
    a.endsWith('*') ? subject.startsWith(a.slice(0, -1)) : a.toLowerCase() === subject.toLowerCase()
  );
}
