import type { Target } from '../events/schemas.js';
import type { KubeNeed } from '../runtime/define-function.js';
import type { Deployment, KubeEvent, KubePort, Pod, Service } from './port.js';

/** What stands behind a target Service: the Service itself, the Deployment whose pods it selects, and those pods. */
export interface Workload {
  namespace: string;
  service: Service | undefined;
  deployment: Deployment | undefined;
  /** Label selector of the workload's pods (the Deployment's, else the Service's), or undefined if neither exists. */
  selector: string | undefined;
  pods: Pod[];
}

/** `{a: 'x', b: 'y'}` → `a=x,b=y`. */
export function toSelector(labels: Readonly<Record<string, string>> | undefined): string | undefined {
  const entries = Object.entries(labels ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : undefined;
}

/** True when every key/value of `selector` is among `labels` (a Service selector matching a pod template). */
export function selects(
  selector: Readonly<Record<string, string>> | undefined,
  labels: Readonly<Record<string, string>> | undefined
): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

/** Picks the Deployment behind a Service: the one whose pod template the Service selects, preferring the same name. */
export function deploymentFor(
  service: Service | undefined,
  deployments: readonly Deployment[],
  name: string
): Deployment | undefined {
  const selector = service?.spec?.selector;
  const matching = selector ? deployments.filter((d) => selects(selector, d.spec?.template?.metadata?.labels)) : [];
  return (
    matching.find((d) => d.metadata?.name === name) ?? matching[0] ?? deployments.find((d) => d.metadata?.name === name)
  );
}

/** The label selector of a workload's pods: its Deployment's, else its Service's (undefined when neither has one). */
export const podSelector = (service: Service | undefined, deployment: Deployment | undefined): string | undefined =>
  toSelector(deployment?.spec?.selector?.matchLabels) ?? toSelector(service?.spec?.selector);

/**
 * The field selector of a Deployment's ScalingReplicaSet events: the API server returns that Deployment's alone, not
 * every scaling of the namespace (Deployment names are DNS labels: no `,` or `=` to escape).
 */
export const scalingEventsOf = (deployment: string): string =>
  `reason=ScalingReplicaSet,involvedObject.kind=Deployment,involvedObject.name=${deployment}`;

/**
 * The Deployment's ScalingReplicaSet events (where the count before a scale to zero comes from); none without one.
 *
 * @example
 * const events = await readScalingEvents(ctx.kube, 'demo', deployment); // its "Scaled down … to 0 from N" and the like
 */
export async function readScalingEvents(
  kube: KubePort,
  namespace: string,
  deployment: Deployment | undefined
): Promise<KubeEvent[]> {
  const name = deployment?.metadata?.name;
  return name ? kube.listEvents(namespace, { fieldSelector: scalingEventsOf(name) }) : [];
}

/** The target Service and the Deployment behind it (deploymentFor's pick); either may be missing. */
export interface TargetObjects {
  service: Service | undefined;
  deployment: Deployment | undefined;
}

/**
 * What readTarget needs, for every check and remediation that resolves a target: get the Service, get the Deployment
 * of its name, list the namespace's Deployments when that one is not the Service's.
 */
export const TARGET_READS: readonly KubeNeed[] = [
  { apiGroups: [''], resources: ['services'], verbs: ['get'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] }
];

/**
 * Reads the Service and the Deployment behind it. The Deployment of the Service's own name, when the Service selects
 * its pods (or selects nothing), is deploymentFor's pick whatever else the namespace holds: then two GETs suffice.
 * Otherwise the namespace's Deployments are listed and deploymentFor picks among them. Listing every time made each
 * check and remediation read every Deployment of the namespace, eleven times per healing.
 *
 * @example
 * const { service, deployment } = await readTarget(ctx.kube, 'demo', 'mcp-demo'); // GET service, GET deployment
 */
export async function readTarget(kube: KubePort, namespace: string, name: string): Promise<TargetObjects> {
  const [service, named] = await Promise.all([kube.readService(namespace, name), kube.readDeployment(namespace, name)]);
  const selector = service?.spec?.selector;
  const selectsSome = Object.keys(selector ?? {}).length > 0;
  if (named && (!selectsSome || selects(selector, named.spec?.template?.metadata?.labels))) {
    return { service, deployment: named };
  }
  return { service, deployment: deploymentFor(service, await kube.listDeployments(namespace), name) };
}

/**
 * Resolves a target to its workload with three reads (four when the Deployment does not share the Service's name).
 * Missing pieces are `undefined`, not errors: "there is no Service" is a finding. Transport failures propagate as the
 * port's CortexErrors.
 *
 * @example
 * const w = await resolveWorkload(ctx.kube, { namespace: 'demo', service: 'mcp-demo' });
 * w.deployment?.spec?.replicas; // 1
 */
export async function resolveWorkload(kube: KubePort, target: Pick<Target, 'namespace' | 'service'>): Promise<Workload> {
  const { namespace, service: name } = target;
  const { service, deployment } = await readTarget(kube, namespace, name);
  const selector = podSelector(service, deployment);
  const pods = selector ? await kube.listPods(namespace, { labelSelector: selector }) : [];
  return { namespace, service, deployment, selector, pods };
}

/** Why a rollout of this Deployment is still going on, or undefined when it is complete. */
export function rolloutInProgress(d: Deployment): string | undefined {
  const desired = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const generation = d.metadata?.generation ?? 0;
  if ((s.observedGeneration ?? 0) < generation)
    return `generation ${generation} is not observed yet (observed ${s.observedGeneration ?? 0})`;
  if ((s.updatedReplicas ?? 0) < desired) return `${s.updatedReplicas ?? 0} of ${desired} replicas are updated`;
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0))
    return `${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas are still terminating`;
  return undefined;
}
