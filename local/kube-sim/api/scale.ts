import { ApiError, badRequest, conflict, invalid, notFound, unsupportedMediaType } from '../api-errors.js';
import { type ResourceDef } from '../resources.js';
import { formatLabelSelector, requirementsFromSelector } from '../selectors.js';
import { type ObjectStore } from '../store.js';
import { type KubeObject, type LabelSelectorObject, isRecord } from '../types.js';
import { PATCH_TYPES, applyPatch } from './write.js';

/*
 * The /scale subresource of deployments and replicasets: an autoscaling/v1 Scale whose spec.replicas is the
 * workload's. GET, PUT (resourceVersion checked against the workload) and PATCH (merge, strategic, JSON patch).
 */

export function toScale(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelectorObject };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp
    },
    spec: { replicas: spec.replicas ?? 1 },
    status: {
      replicas: typeof obj.status?.['replicas'] === 'number' ? obj.status['replicas'] : 0,
      selector: formatLabelSelector(requirementsFromSelector(spec.selector))
    }
  };
}

function setReplicas(store: ObjectStore, def: ResourceDef, obj: KubeObject, scale: unknown, dryRun: boolean): KubeObject {
  if (!isRecord(scale)) throw badRequest('the body of the request must be a Scale object');
  const meta = isRecord(scale['metadata']) ? scale['metadata'] : {};
  if (
    typeof meta['resourceVersion'] === 'string' &&
    meta['resourceVersion'] &&
    meta['resourceVersion'] !== obj.metadata.resourceVersion
  ) {
    throw conflict(def, obj.metadata.name);
  }
  const replicas = isRecord(scale['spec']) ? scale['spec']['replicas'] : undefined;
  if (replicas === undefined) return toScale(obj);
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid('Scale', 'autoscaling', obj.metadata.name, [
      { field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }
    ]);
  }
  const updated = store.update(
    def,
    { ...obj, spec: { ...obj.spec, replicas }, metadata: { ...obj.metadata, resourceVersion: '' } },
    { dryRun }
  );
  return toScale(updated);
}

export function readScale(store: ObjectStore, def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
  const obj = store.get(def, namespace, name);
  if (!obj) throw notFound(def, name);
  return toScale(obj);
}

export function replaceScale(
  store: ObjectStore,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  body: unknown,
  dryRun: boolean
): KubeObject {
  const obj = store.get(def, namespace, name);
  if (!obj) throw notFound(def, name);
  return setReplicas(store, def, obj, body, dryRun);
}

export function patchScale(
  store: ObjectStore,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  contentType: string,
  raw: Buffer,
  dryRun: boolean
): KubeObject {
  if (!PATCH_TYPES.includes(contentType)) throw unsupportedMediaType(PATCH_TYPES);
  const obj = store.get(def, namespace, name);
  if (!obj) throw notFound(def, name);
  const patched = applyPatch(toScale(obj), contentType, raw);
  if (!isRecord(patched)) throw new ApiError(422, 'Invalid', 'the patch produced no Scale');
  return setReplicas(store, def, obj, patched, dryRun);
}
