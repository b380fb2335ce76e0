import type { PreActionRecord } from '../events/schemas.js';
import type { Endpoints, KubePort } from '../kube/port.js';
import type { KubeNeed } from '../runtime/define-function.js';
import type { Subject } from './remediate.js';

/*
 * What a mutating remediation records before it acts (DESIGN §12): the Deployment's replicas, its revision (the
 * ReplicaSet a rollback goes back to), how many pods were Ready and how many endpoints the Service had. It travels in
 * the `remediation.completed` event; verification compares with it, and a rollback undoes to it.
 */

/** The annotation the Deployment controller keeps the current revision in (its newest ReplicaSet's). */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

/** What recording needs beyond the subject's reads: the Service's Endpoints. */
export const RECORD_READS: readonly KubeNeed[] = [{ apiGroups: [''], resources: ['endpoints'], verbs: ['get'] }];

/** Ready addresses of an Endpoints object, across its subsets. */
export const readyAddresses = (e: Endpoints | undefined): number =>
  (e?.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);

/**
 * @example
 * await recordBefore(kube, subject); // → { deployment: 'api', replicas: 2, readyReplicas: 2, endpoints: 2, revision: '3', generation: 4 }
 */
export async function recordBefore(kube: KubePort, subject: Subject): Promise<PreActionRecord> {
  const d = subject.deployment;
  const endpoints = subject.service?.metadata?.name
    ? readyAddresses(await kube.readEndpoints(subject.namespace, subject.service.metadata.name))
    : 0;
  const revision = d.metadata?.annotations?.[REVISION_ANNOTATION];
  return {
    deployment: subject.name,
    replicas: d.spec?.replicas ?? 1,
    readyReplicas: d.status?.readyReplicas ?? 0,
    endpoints,
    ...(revision ? { revision } : {}),
    generation: d.metadata?.generation ?? 0
  };
}
