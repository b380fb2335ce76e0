import { clone, isRecord } from './types.js';

/*
 * The three PATCH semantics the API server offers: JSON merge patch (RFC 7386), strategic merge patch (a merge patch
 * whose lists of objects are merged by a key, e.g. containers by `name`), and JSON patch (RFC 6902).
 * All functions are pure: they return a new document and leave their inputs alone.
 */

/** A patch that cannot be applied; `status` is 400 for a malformed patch document, 422 for one that fails to apply. */
export class PatchError extends Error {
  readonly status: 400 | 422;
  constructor(status: 400 | 422, message: string) {
    super(message);
    this.name = 'PatchError';
    this.status = status;
  }
}

/** RFC 7386: objects merge recursively, `null` deletes, anything else (arrays included) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return clone(patch);
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * The `patchMergeKey` of a list field, from the Kubernetes API types (`+patchMergeKey` tags). `undefined` means the
 * list is replaced as a whole. `path` holds the object keys leading to the list (array indexes are not included).
 */
export function mergeKeyFor(path: readonly string[]): string | undefined {
  const last = path[path.length - 1];
  switch (last) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'imagePullSecrets':
    case 'env':
      return 'name';
    case 'conditions':
      return 'type';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'ownerReferences':
      return 'uid';
    case 'hostAliases':
      return 'ip';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    case 'ports':
      return path.some((p) => p === 'containers' || p === 'initContainers' || p === 'ephemeralContainers')
        ? 'containerPort'
        : 'port';
    default:
      return undefined;
  }
}

/** Lists of scalars whose patch strategy is `merge` (union) rather than replace. */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

/**
 * Strategic merge patch: a merge patch where lists of objects with a merge key are merged element by element,
 * honouring the `$patch: replace|delete|merge`, `$retainKeys`, `$deleteFromPrimitiveList/<f>` and
 * `$setElementOrder/<f>` directives that kubectl sends.
 */
export function strategicMergePatch(target: unknown, patch: unknown, path: readonly string[] = []): unknown {
  if (!isRecord(patch)) return clone(patch);
  const directive = patch['$patch'];
  if (directive === 'delete') return undefined;
  const base: Record<string, unknown> = directive === 'replace' || !isRecord(target) ? {} : { ...target };
  const retain = Array.isArray(patch['$retainKeys']) ? (patch['$retainKeys'] as unknown[]).map(String) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const drop = Array.isArray(v) ? v : [];
      if (Array.isArray(base[field])) base[field] = (base[field] as unknown[]).filter((x) => !drop.includes(x));
      continue;
    }
    if (v === null) {
      delete base[k];
      continue;
    }
    const here = [...path, k];
    if (Array.isArray(v)) {
      const merged = mergeList(base[k], v, here);
      if (merged === undefined) delete base[k];
      else base[k] = merged;
      continue;
    }
    const merged = strategicMergePatch(base[k], v, here);
    if (merged === undefined) delete base[k];
    else base[k] = merged;
  }
  if (retain) for (const k of Object.keys(base)) if (!retain.includes(k)) delete base[k];
  return base;
}

function mergeList(current: unknown, patch: unknown[], path: readonly string[]): unknown[] | undefined {
  const field = path[path.length - 1]!;
  const key = mergeKeyFor(path);
  const replaceAll = patch.some((e) => isRecord(e) && e['$patch'] === 'replace');
  const items = patch.filter((e) => !(isRecord(e) && e['$patch'] === 'replace'));
  if (!Array.isArray(current) || replaceAll) return clone(items.filter((e) => !(isRecord(e) && e['$patch'] === 'delete')));
  if (MERGED_PRIMITIVE_LISTS.has(field) && items.every((e) => !isRecord(e))) {
    return [...current, ...items.filter((e) => !current.includes(e))];
  }
  if (!key || !items.every(isRecord)) return clone(items);
  const out: unknown[] = [...current];
  for (const elem of items as Record<string, unknown>[]) {
    const idx = out.findIndex((c) => isRecord(c) && c[key] === elem[key]);
    if (elem['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMergePatch(out[idx], elem, path);
    else out.push(strategicMergePatch(undefined, elem, path));
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(422, `invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function locate(doc: unknown, tokens: string[], pointer: string): { parent: unknown; key: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isRecord(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(422, `doc is missing path: "${pointer}": missing value`);
  }
  return { parent: cur, key: tokens[tokens.length - 1]! };
}

function getAt(doc: unknown, pointer: string): unknown {
  let cur = doc;
  for (const t of parsePointer(pointer)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isRecord(cur) ? cur[t] : undefined;
    if (cur === undefined) throw new PatchError(422, `doc is missing path: "${pointer}": missing value`);
  }
  return cur;
}

function arrayIndex(arr: unknown[], key: string, pointer: string, allowEnd: boolean): number {
  if (key === '-' && allowEnd) return arr.length;
  const i = Number(key);
  if (!/^\d+$/.test(key) || i > arr.length || (!allowEnd && i === arr.length)) {
    throw new PatchError(422, `unable to access invalid index: ${key} in "${pointer}"`);
  }
  return i;
}

function addAt(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return clone(value);
  const { parent, key } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, true), 0, clone(value));
  else if (isRecord(parent)) parent[key] = clone(value);
  else throw new PatchError(422, `doc is missing path: "${pointer}": missing value`);
  return doc;
}

function removeAt(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  const { parent, key } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, false), 1);
  else if (isRecord(parent) && Object.hasOwn(parent, key)) delete parent[key];
  else throw new PatchError(422, `Unable to remove nonexistent key: ${key}: missing value`);
  return doc;
}

/** RFC 6902. A body that is not an array of operations is a 400; an operation that fails is a 422. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError(400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = clone(target);
  for (const raw of ops) {
    if (!isRecord(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') {
      throw new PatchError(400, `invalid JSON patch operation: ${JSON.stringify(raw)}`);
    }
    const op = raw as unknown as JsonPatchOp;
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, op.value);
        break;
      case 'remove':
        doc = removeAt(doc, op.path);
        break;
      case 'replace':
        getAt(doc, op.path);
        doc = addAt(removeAt(doc, op.path), op.path, op.value);
        break;
      case 'move': {
        const v = getAt(doc, op.from ?? '');
        doc = addAt(removeAt(doc, op.from ?? ''), op.path, v);
        break;
      }
      case 'copy':
        doc = addAt(doc, op.path, getAt(doc, op.from ?? ''));
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, op.path)) !== JSON.stringify(op.value)) {
          throw new PatchError(422, `testing value ${op.path} failed: test failed`);
        }
        break;
      default:
        throw new PatchError(422, `Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}
