import type { KubeObject, Simulator } from '../../local/kube-sim/index.js';
import type { Workload } from './scenario.js';

/*
 * Collateral: what changed in the cluster that was not the healed workloads' own. Every object of the kinds below is
 * compared before and after a scenario on existence, uid, spec and labels; status, events, annotations and
 * resourceVersions change on their own and do not count. A workload's own objects are its Deployment, the
 * ReplicaSets that Deployment controls, their pods, and its Service (Endpoints and EndpointSlices are derived and
 * not compared at all).
 */

export const KINDS = ['Namespace', 'Node', 'Deployment', 'ReplicaSet', 'Pod', 'Service', 'NetworkPolicy', 'ConfigMap'];

export interface CollateralChange {
  /** `Kind namespace/name`. */
  object: string;
  change: 'created' | 'deleted' | 'replaced' | 'spec' | 'labels';
}

/** Every object of the compared kinds, as the simulator holds it now. */
export function snapshot(sim: Simulator): KubeObject[] {
  return KINDS.flatMap((k) => sim.list(k));
}

const id = (o: KubeObject): string =>
  `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
const controller = (o: KubeObject): string | undefined => o.metadata.ownerReferences?.find((r) => r.controller)?.uid;

/** The ids of the workloads' own objects among `objects` (both snapshots, so deleted pods are still known). */
export function ownIds(objects: readonly KubeObject[], workloads: readonly Workload[]): Set<string> {
  const is = (o: KubeObject, kind: string, w: Workload): boolean =>
    o.kind === kind && o.metadata.namespace === w.namespace && o.metadata.name === w.name;
  const deployments = new Set(
    objects.filter((o) => workloads.some((w) => is(o, 'Deployment', w))).map((o) => o.metadata.uid)
  );
  const replicaSets = new Set(
    objects.filter((o) => o.kind === 'ReplicaSet' && deployments.has(controller(o) ?? '')).map((o) => o.metadata.uid)
  );
  return new Set(
    objects
      .filter(
        (o) =>
          deployments.has(o.metadata.uid) ||
          replicaSets.has(o.metadata.uid) ||
          (o.kind === 'Pod' && replicaSets.has(controller(o) ?? '')) ||
          workloads.some((w) => is(o, 'Service', w))
      )
      .map(id)
  );
}

const json = (v: unknown): string => JSON.stringify(v ?? null);

/**
 * The changes between two snapshots outside the workloads' own objects.
 *
 * @example
 * collateral(before, after, [{ namespace: 'demo', name: 'mcp-demo' }]); // → [{ object: 'Pod demo/mcp-tools-…', change: 'deleted' }]
 */
export function collateral(
  before: readonly KubeObject[],
  after: readonly KubeObject[],
  workloads: readonly Workload[]
): CollateralChange[] {
  const own = ownIds([...before, ...after], workloads);
  const was = new Map(before.map((o) => [id(o), o]));
  const now = new Map(after.map((o) => [id(o), o]));
  const changes: CollateralChange[] = [];
  for (const object of new Set([...was.keys(), ...now.keys()])) {
    if (own.has(object)) continue;
    const [a, b] = [was.get(object), now.get(object)];
    if (!a) changes.push({ object, change: 'created' });
    else if (!b) changes.push({ object, change: 'deleted' });
    else if (a.metadata.uid !== b.metadata.uid) changes.push({ object, change: 'replaced' });
    else if (json(a.spec) !== json(b.spec)) changes.push({ object, change: 'spec' });
    else if (json(a.metadata.labels) !== json(b.metadata.labels)) changes.push({ object, change: 'labels' });
  }
  return changes.sort((x, y) => x.object.localeCompare(y.object));
}
