import { ApiError, type FieldCause, badRequest, conflict, notFound, successStatus } from '../api-errors.js';
import { deletePod } from '../pod-deletion.js';
import { RESOURCES, type ResourceDef } from '../resources.js';
import { type ObjectStore } from '../store.js';
import { type KubeObject, type Pod, isRecord } from '../types.js';
import { parseJson } from './http-util.js';
import { deleteQuery, throwDeleteOptionsErrors, validateDeletePolicy } from './query.js';

/*
 * delete with the API server's rules: DeleteOptions from the body or the query, preconditions, graceful deletion of
 * pods, orphaning of dependents, and a namespace taking its objects with it.
 */

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

/**
 * The DeleteOptions of a DELETE: from the body when there is one (the API server then ignores the query), else from the
 * query; validated like ValidateDeleteOptions. `orphanDependents: true` is the old spelling of the Orphan policy.
 */
export function parseDeleteOptions(raw: Buffer, q: URLSearchParams): DeleteOptions {
  const text = raw.toString('utf8').trim();
  if (text === '') {
    const o = deleteQuery(q);
    const policy = o.propagationPolicy ?? (o.orphanDependents ? 'Orphan' : undefined);
    return {
      dryRun: o.dryRun,
      ...(o.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: o.gracePeriodSeconds } : {}),
      ...(policy ? { propagationPolicy: policy } : {})
    };
  }
  const v = parseJson(raw);
  if (!isRecord(v)) throw badRequest('the body of the request must be a DeleteOptions object');
  const dryRun = Array.isArray(v['dryRun']) ? (v['dryRun'] as unknown[]).map(String) : [];
  const policy = typeof v['propagationPolicy'] === 'string' ? v['propagationPolicy'] : undefined;
  const orphan = typeof v['orphanDependents'] === 'boolean' ? v['orphanDependents'] : undefined;
  const causes: FieldCause[] = dryRun.every((d) => d === 'All')
    ? []
    : [{ field: 'dryRun', value: dryRun, detail: '', reason: 'FieldValueNotSupported', supported: ['All'] }];
  validateDeletePolicy(policy, orphan, causes);
  throwDeleteOptionsErrors(causes);
  const grace = v['gracePeriodSeconds'];
  return {
    dryRun: dryRun.includes('All'),
    ...(typeof grace === 'number' ? { gracePeriodSeconds: grace } : {}),
    ...(policy || orphan ? { propagationPolicy: policy ?? 'Orphan' } : {}),
    ...(isRecord(v['preconditions']) ? { preconditions: v['preconditions'] as DeleteOptions['preconditions'] } : {})
  };
}

/** DELETE on an item: pods answer with the pod (graceful), everything else with a Success Status. */
export function deleteObject(
  store: ObjectStore,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  opts: DeleteOptions,
  now: number
): unknown {
  const dryRun = opts.dryRun;
  const existing = store.get(def, namespace, name);
  if (!existing) throw notFound(def, name);
  const pre = opts.preconditions;
  if (pre?.uid && pre.uid !== existing.metadata.uid) {
    throw new ApiError(
      409,
      'Conflict',
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`
    );
  }
  if (pre?.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion) throw conflict(def, name);
  if (def.kind === 'Pod') return deletePod(store, existing as Pod, opts.gracePeriodSeconds, now, { dryRun });
  if (opts.propagationPolicy === 'Orphan' && !dryRun) orphanDependents(store, existing);
  if (def.kind === 'Namespace') {
    if (!dryRun) {
      for (const r of RESOURCES.filter((x) => x.namespaced && !x.virtual)) {
        for (const o of store.list(r, name)) store.remove(r, o.metadata.namespace, o.metadata.name);
      }
      store.remove(def, undefined, name);
    }
    return {
      ...existing,
      metadata: { ...existing.metadata, deletionTimestamp: existing.metadata.creationTimestamp },
      status: { phase: 'Terminating' }
    };
  }
  store.remove(def, namespace, name, { dryRun });
  return successStatus(def, name, existing.metadata.uid);
}

function orphanDependents(store: ObjectStore, owner: KubeObject): void {
  for (const r of RESOURCES.filter((x) => !x.virtual)) {
    for (const o of store.list(r, owner.metadata.namespace)) {
      const refs = o.metadata.ownerReferences ?? [];
      if (!refs.some((ref) => ref.uid === owner.metadata.uid)) continue;
      const rest = refs.filter((ref) => ref.uid !== owner.metadata.uid);
      const metadata = { ...o.metadata };
      if (rest.length) metadata.ownerReferences = rest;
      else delete metadata.ownerReferences;
      store.update(r, { ...o, metadata });
    }
  }
}
