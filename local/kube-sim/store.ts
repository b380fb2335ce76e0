import { randomBytes, randomUUID } from 'node:crypto';
import { alreadyExists, conflict, notFound } from './api-errors.js';
import { type ResourceDef, qualifiedName } from './resources.js';
import { type KubeObject, clone, deepEqual, k8sTime } from './types.js';

/*
 * The object store: every object of every type, one global resourceVersion counter, and a bounded history of
 * changes from which watches replay. All methods are synchronous, so a watch that replays history and then subscribes
 * can never miss a change in between.
 */

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  rv: number;
  type: ChangeType;
  /** The qualified resource (`pods`, `deployments.apps`). */
  resource: string;
  object: KubeObject;
  /** The object before a MODIFIED change (watches with selectors turn a change of match into ADDED/DELETED). */
  previous?: KubeObject;
}

export interface StoreOptions {
  /** How many changes are kept for watch replay; older resourceVersions get 410 Expired. */
  historySize?: number;
  now?: () => number;
}

export interface WriteOptions {
  /** Validate and answer as if applied; persist nothing, emit nothing. */
  dryRun?: boolean;
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Five characters from the alphabet Kubernetes uses for generated names. */
export function randomSuffix(length = 5): string {
  const bytes = randomBytes(length);
  return [...bytes].map((b) => NAME_ALPHABET[b % NAME_ALPHABET.length]).join('');
}

const keyOf = (ns: string | undefined, name: string): string => `${ns ?? ''}/${name}`;

export class ObjectStore {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: Change[] = [];
  private readonly listeners = new Set<(change: Change) => void>();
  private readonly historySize: number;
  private readonly now: () => number;
  private rv = 1000;
  /** The newest resourceVersion that can no longer be replayed (0 while nothing was dropped). */
  private compactedRv = 0;

  constructor(opts: StoreOptions = {}) {
    this.historySize = Math.max(1, opts.historySize ?? 1000);
    this.now = opts.now ?? Date.now;
  }

  currentRv(): number {
    return this.rv;
  }

  get(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.bucket(def).get(keyOf(def.namespaced ? namespace : undefined, name));
    return obj ? clone(obj) : undefined;
  }

  /** Objects of a type, in one namespace or all, sorted by namespace then name in byte order (as etcd returns them). */
  list(def: ResourceDef, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const obj of this.bucket(def).values()) {
      if (namespace === undefined || !def.namespaced || obj.metadata.namespace === namespace) out.push(clone(obj));
    }
    return out.sort((a, b) => {
      const ka = keyOf(a.metadata.namespace, a.metadata.name);
      const kb = keyOf(b.metadata.namespace, b.metadata.name);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  /**
   * The stored objects themselves, uncopied, for hot read-only paths (the authorizer reads the RBAC objects on every
   * request). Callers must not modify them.
   */
  peek(def: ResourceDef, namespace?: string): readonly KubeObject[] {
    const all = [...this.bucket(def).values()];
    return namespace === undefined || !def.namespaced ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** One stored object, uncopied (see {@link peek}). */
  peekOne(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.bucket(def).get(keyOf(def.namespaced ? namespace : undefined, name));
  }

  create(def: ResourceDef, input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const obj = clone(input);
    const meta = obj.metadata;
    if (!def.namespaced) delete meta.namespace;
    if (!meta.name && meta.generateName) {
      do meta.name = meta.generateName + randomSuffix();
      while (this.bucket(def).has(keyOf(meta.namespace, meta.name)));
    }
    if (this.bucket(def).has(keyOf(meta.namespace, meta.name))) throw alreadyExists(def, meta.name);
    meta.uid = randomUUID();
    meta.creationTimestamp = k8sTime(this.now());
    if (obj.spec !== undefined) meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (opts.dryRun) return { ...obj, metadata: { ...meta, resourceVersion: String(this.rv) } };
    meta.resourceVersion = String(++this.rv);
    this.bucket(def).set(keyOf(meta.namespace, meta.name), obj);
    this.emit({ rv: this.rv, type: 'ADDED', resource: qualifiedName(def), object: obj });
    return clone(obj);
  }

  /**
   * Replaces an object. A set `metadata.resourceVersion` that differs from the stored one is a 409 Conflict. An update
   * that changes nothing is a no-op: no new resourceVersion, no watch event (as in the API server).
   */
  update(def: ResourceDef, input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const obj = clone(input);
    const key = keyOf(def.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name);
    const stored = this.bucket(def).get(key);
    if (!stored) throw notFound(def, obj.metadata.name);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== stored.metadata.resourceVersion) {
      throw conflict(def, obj.metadata.name);
    }
    obj.metadata = {
      ...obj.metadata,
      uid: stored.metadata.uid,
      creationTimestamp: stored.metadata.creationTimestamp,
      resourceVersion: stored.metadata.resourceVersion
    };
    if (!def.namespaced) delete obj.metadata.namespace;
    if (stored.metadata.generation !== undefined) {
      obj.metadata.generation = stored.metadata.generation + (deepEqual(obj.spec, stored.spec) ? 0 : 1);
    }
    if (deepEqual(obj, stored)) return clone(stored);
    if (opts.dryRun) return obj;
    obj.metadata.resourceVersion = String(++this.rv);
    this.bucket(def).set(key, obj);
    this.emit({ rv: this.rv, type: 'MODIFIED', resource: qualifiedName(def), object: obj, previous: stored });
    return clone(obj);
  }

  remove(def: ResourceDef, namespace: string | undefined, name: string, opts: WriteOptions = {}): KubeObject {
    const key = keyOf(def.namespaced ? namespace : undefined, name);
    const stored = this.bucket(def).get(key);
    if (!stored) throw notFound(def, name);
    if (opts.dryRun) return clone(stored);
    this.bucket(def).delete(key);
    const gone = { ...stored, metadata: { ...stored.metadata, resourceVersion: String(++this.rv) } };
    this.emit({ rv: this.rv, type: 'DELETED', resource: qualifiedName(def), object: gone });
    return clone(gone);
  }

  /** Changes after `rv`, oldest first, or `expired` when the history no longer reaches back that far. */
  changesSince(rv: number): { changes: Change[] } | { expired: number } {
    if (rv < this.compactedRv) return { expired: this.compactedRv + 1 };
    return { changes: this.history.filter((c) => c.rv > rv) };
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private bucket(def: ResourceDef): Map<string, KubeObject> {
    const name = qualifiedName(def);
    let b = this.objects.get(name);
    if (!b) this.objects.set(name, (b = new Map()));
    return b;
  }

  private emit(change: Change): void {
    this.history.push(change);
    while (this.history.length > this.historySize) this.compactedRv = this.history.shift()!.rv;
    for (const l of [...this.listeners]) l(change);
  }
}
