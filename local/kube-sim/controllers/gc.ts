import { deletePod } from '../pod-deletion.js';
import { RESOURCES } from '../resources.js';
import { type ObjectStore } from '../store.js';
import { type Pod } from '../types.js';

/*
 * The garbage collector (background propagation): an object whose owners are all gone is deleted. Pods go through
 * graceful deletion like any other pod delete.
 */

const OWNER_KINDS = new Set(['Deployment', 'ReplicaSet', 'Service', 'Pod', 'Node', 'Namespace', 'ConfigMap']);

export function collectGarbage(store: ObjectStore, now: number): void {
  const stored = RESOURCES.filter((r) => !r.virtual && r.kind !== 'Event');
  const uids = new Set<string>();
  for (const def of stored) for (const o of store.list(def)) uids.add(o.metadata.uid);
  for (const def of stored) {
    for (const o of store.list(def)) {
      const owners = (o.metadata.ownerReferences ?? []).filter((r) => OWNER_KINDS.has(r.kind));
      if (owners.length === 0 || owners.some((r) => uids.has(r.uid))) continue;
      if (def.kind === 'Pod') deletePod(store, o as Pod, undefined, now);
      else store.remove(def, o.metadata.namespace, o.metadata.name);
    }
  }
}
