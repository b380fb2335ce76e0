import { Events } from '../../shared/events/catalog.js';
import type { AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { BROKER, NAMESPACE, type K8sObject } from './objects.js';
import { pingSource } from './platform.js';

/*
 * knative/oidc: what authenticated delivery adds to knative/ (docs/security.md), applied on top of it
 * (`kubectl apply -k knative/oidc`) on an Eventing with `authentication-oidc` enabled; EventPolicies cannot even be
 * created without it. Its own kustomization (kustomize refuses a base that contains its overlay):
 * - one EventPolicy per sender identity for the Broker: each function's SinkBinding may send what the function emits
 *   (and error.reported, its crash report), the PingSource its tick, the operator's ServiceAccount error.reported.
 *   One policy per identity, because Eventing decides by the first policy (by name) that names the sender;
 * - the operator's ServiceAccount (`kubectl create token cortex-operator --audience eventing.knative.dev/broker/cortex/default`);
 * - read access for everyone to the issuer's discovery document and public keys, which the functions without an API
 *   token fetch to verify their deliveries (Kubernetes' own ClusterRole for it; they are public keys).
 */

const PART_OF = { 'app.kubernetes.io/part-of': 'cortex' };
export const OPERATOR_SA = 'cortex-operator';
const TO_BROKER = [{ ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: BROKER } }];

const onlyTypes = (types: readonly string[]) => [{ any: [...new Set(types)].map((type) => ({ exact: { type } })) }];

function policy(name: string, from: Record<string, unknown>, types: readonly string[]): K8sObject {
  return {
    apiVersion: 'eventing.knative.dev/v1alpha1',
    kind: 'EventPolicy',
    metadata: { name, namespace: NAMESPACE, labels: PART_OF },
    spec: { to: TO_BROKER, from: [from], filters: onlyTypes(types) }
  };
}

/** Who may send what to the Broker: one policy per identity. */
export function eventPolicies(defs: readonly AnyFunctionDef[]): K8sObject[] {
  const sinkBinding = (name: string) => ({ ref: { apiVersion: 'sources.knative.dev/v1', kind: 'SinkBinding', name, namespace: NAMESPACE } });
  return [
    ...defs.map((d) =>
      policy(`cortex-from-${d.name}`, sinkBinding(d.name), [...d.emits.map((e: { type: string }) => e.type), Events.ErrorReported.type])
    ),
    policy(
      `cortex-from-${pingSource.metadata.name}`,
      { ref: { apiVersion: 'sources.knative.dev/v1', kind: 'PingSource', name: pingSource.metadata.name, namespace: NAMESPACE } },
      [Events.PingTick.type]
    ),
    policy(`cortex-from-operator`, { sub: `system:serviceaccount:${NAMESPACE}:${OPERATOR_SA}` }, [Events.ErrorReported.type])
  ];
}

export const operatorAccount: K8sObject = {
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name: OPERATOR_SA, namespace: NAMESPACE, labels: PART_OF },
  automountServiceAccountToken: false
};

/** Lets the functions without an API token read the issuer's discovery document and keys (public by nature). */
export const discoveryBinding: K8sObject = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name: 'cortex-oidc-discovery', labels: PART_OF },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:service-account-issuer-discovery' },
  subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:unauthenticated' }]
};
