import { parse as parseYaml } from 'yaml';
import { roleRefChanged } from '../admission-policy.js';
import { applyDefaults, validate } from '../admission.js';
import { ApiError, badRequest, invalid, notFound, unsupportedMediaType } from '../api-errors.js';
import { PatchError, jsonPatch, mergePatch, strategicMergePatch } from '../patch.js';
import { type ResourceDef, groupVersion, resourceForKind } from '../resources.js';
import { type ObjectStore } from '../store.js';
import { type KubeObject, clone, isRecord } from '../types.js';

/*
 * create, update and patch with the API server's rules: defaulting and validation, optimistic concurrency on
 * metadata.resourceVersion, the status subresource split (writes to the main resource keep the stored status and
 * /status writes change only the status), and `dryRun=All` (answer as if applied; nothing is persisted or emitted).
 */

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml'
];

/** Checks an incoming object's identity against the URL and fills kind, apiVersion and namespace. */
function normalize(def: ResourceDef, body: unknown, namespace: string | undefined, urlName?: string): KubeObject {
  if (!isRecord(body)) throw badRequest(`the body of the request must be a ${def.kind} object`);
  const obj = clone(body) as KubeObject;
  if (obj.kind !== undefined && obj.kind !== def.kind) {
    throw badRequest(`the object provided is unrecognized (kind ${String(obj.kind)}, expected ${def.kind})`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== groupVersion(def)) {
    throw badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${groupVersion(def)})`
    );
  }
  obj.kind = def.kind;
  obj.apiVersion = groupVersion(def);
  obj.metadata = isRecord(obj.metadata) ? obj.metadata : ({} as KubeObject['metadata']);
  if (def.namespaced) {
    if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = namespace ?? obj.metadata.namespace;
  }
  if (urlName !== undefined) {
    if (obj.metadata.name && obj.metadata.name !== urlName)
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${urlName})`);
    obj.metadata.name = urlName;
  }
  return obj;
}

function requireNamespace(store: ObjectStore, def: ResourceDef, namespace: string | undefined): void {
  if (!def.namespaced || !namespace) return;
  const nsDef = resourceForKind('Namespace');
  if (!store.get(nsDef, undefined, namespace)) throw notFound(nsDef, namespace);
}

/** The create path, also used by the demo seed so seeded objects look exactly like created ones. */
export function createObject(
  store: ObjectStore,
  def: ResourceDef,
  body: unknown,
  namespace: string | undefined,
  dryRun = false
): KubeObject {
  const obj = normalize(def, body, namespace);
  validate(def, obj);
  requireNamespace(store, def, obj.metadata.namespace);
  if (def.hasStatus && def.kind !== 'Service' && def.kind !== 'Namespace' && def.kind !== 'Node') delete obj.status;
  applyDefaults(def, obj, store, true);
  return store.create(def, obj, { dryRun });
}

/** PUT on an item or its /status. */
export function updateObject(
  store: ObjectStore,
  def: ResourceDef,
  body: unknown,
  namespace: string | undefined,
  name: string,
  sub: string | undefined,
  dryRun: boolean
): KubeObject {
  const existing = store.get(def, namespace, name);
  if (!existing) throw notFound(def, name);
  const incoming = normalize(def, body, namespace, name);
  return replace(store, def, existing, incoming, sub, dryRun);
}

function replace(
  store: ObjectStore,
  def: ResourceDef,
  existing: KubeObject,
  incoming: KubeObject,
  sub: string | undefined,
  dryRun: boolean
): KubeObject {
  let next: KubeObject;
  if (sub === 'status') {
    next = {
      ...existing,
      status: incoming.status,
      metadata: { ...existing.metadata, resourceVersion: incoming.metadata.resourceVersion ?? '' }
    };
  } else {
    next = incoming;
    if (def.hasStatus) next.status = existing.status;
    // Fields only the server sets survive any client write.
    if (existing.metadata.deletionTimestamp) next.metadata.deletionTimestamp = existing.metadata.deletionTimestamp;
    if (existing.metadata.deletionGracePeriodSeconds !== undefined)
      next.metadata.deletionGracePeriodSeconds = existing.metadata.deletionGracePeriodSeconds;
    if (existing.metadata.generation !== undefined) next.metadata.generation = existing.metadata.generation;
    validate(def, next);
    if ((def.kind === 'RoleBinding' || def.kind === 'ClusterRoleBinding') && roleRefChanged(existing, next))
      throw invalid(def.kind, def.group, existing.metadata.name, [
        { field: 'roleRef', value: next['roleRef'], detail: 'cannot change roleRef' }
      ]);
    applyDefaults(def, next, store, false);
  }
  if (!next.metadata.resourceVersion) next.metadata.resourceVersion = '';
  return store.update(def, next, { dryRun });
}

/** Applies a PATCH body of the given media type to a document (the object, or a Scale). */
export function applyPatch(doc: KubeObject, contentType: string, raw: Buffer): KubeObject {
  try {
    switch (contentType) {
      case 'application/json-patch+json':
        return jsonPatch(doc, parseBody(raw)) as KubeObject;
      case 'application/merge-patch+json':
        return mergePatch(doc, parseBody(raw)) as KubeObject;
      case 'application/strategic-merge-patch+json':
        return strategicMergePatch(doc, parseBody(raw)) as KubeObject;
      case 'application/apply-patch+yaml':
        return strategicMergePatch(doc, parseApply(raw)) as KubeObject;
      default:
        throw unsupportedMediaType(PATCH_TYPES);
    }
  } catch (err) {
    if (err instanceof PatchError)
      throw err.status === 400 ? badRequest(err.message) : new ApiError(422, 'Invalid', err.message);
    throw err;
  }
}

function parseBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

function parseApply(raw: Buffer): Record<string, unknown> {
  let v: unknown;
  try {
    v = parseYaml(raw.toString('utf8'));
  } catch (err) {
    throw badRequest(`error decoding YAML: ${(err as Error).message}`);
  }
  if (!isRecord(v)) throw badRequest('apply patches must be an object');
  return v;
}

/** PATCH on an item or its /status. Server-side apply creates the object when it is missing (201). */
export function patchObject(
  store: ObjectStore,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  sub: string | undefined,
  contentType: string,
  raw: Buffer,
  dryRun: boolean
): { code: number; object: KubeObject } {
  if (!PATCH_TYPES.includes(contentType)) throw unsupportedMediaType(PATCH_TYPES);
  const existing = store.get(def, namespace, name);
  if (!existing) {
    if (contentType === 'application/apply-patch+yaml' && sub === undefined) {
      const body = parseApply(raw);
      return {
        code: 201,
        object: createObject(
          store,
          def,
          { ...body, metadata: { ...(isRecord(body['metadata']) ? body['metadata'] : {}), name } },
          namespace,
          dryRun
        )
      };
    }
    throw notFound(def, name);
  }
  const patched = applyPatch(existing, contentType, raw);
  if (!isRecord(patched) || !isRecord(patched.metadata))
    throw new ApiError(422, 'Invalid', 'the patch removed the object metadata');
  if (patched.metadata.name !== name)
    throw badRequest(
      `the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`
    );
  const incoming = normalize(def, patched, namespace, name);
  return { code: 200, object: replace(store, def, existing, incoming, sub, dryRun) };
}
