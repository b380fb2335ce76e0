import { randomBytes, randomUUID } from 'node:crypto';
import { alreadyExists, conflict, notFound } from './api-errors.js';
import { type ResourceDef, qualifiedName } from './resources.js';
import { frozenCopy } from './immutable.js';
import { type KubeObject, deepEqual, k8sTime } from './types.js';

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
const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The objects of one resource by key, and their keys in list order (kept until a create or delete changes them). */
interface Bucket {
  objects: Map<string, KubeObject>;
  sorted?: string[];
}

/**
 * Reads hand out the stored objects themselves, uncopied: they are deep-frozen (see immutable.ts), so callers share
 * them read-only, and whoever wants a changed object builds a new one and writes it.
 */
export class ObjectStore {
  private readonly buckets = new Map<string, Bucket>();
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

  /** The stored object (frozen), or undefined. */
  get(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.bucket(def).objects.get(keyOf(def.namespaced ? namespace : undefined, name));
  }

  /**
   * The stored objects (frozen) of a type, in one namespace or all, sorted by namespace then name in byte order (as
   * etcd returns them). The array is the caller's own.
   */
  list(def: ResourceDef, namespace?: string): KubeObject[] {
    const b = this.bucket(def);
    const keys = (b.sorted ??= [...b.objects.keys()].sort(byteOrder));
    const out: KubeObject[] = [];
    const all = namespace === undefined || !def.namespaced;
    for (const key of keys) {
      const obj = b.objects.get(key)!;
      if (all || obj.metadata.namespace === namespace) out.push(obj);
    }
    return out;
  }

  /** How many objects of a type are stored. */
  count(def: ResourceDef): number {
    return this.bucket(def).objects.size;
  }

  /** Stores a new object (the input is copied, never kept) and returns it as stored. */
  create(def: ResourceDef, input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const b = this.bucket(def);
    const meta = { ...input.metadata };
    if (!def.namespaced) delete meta.namespace;
    if (!meta.name && meta.generateName) {
      do meta.name = meta.generateName + randomSuffix();
      while (b.objects.has(keyOf(meta.namespace, meta.name)));
    }
    const key = keyOf(meta.namespace, meta.name);
    if (b.objects.has(key)) throw alreadyExists(def, meta.name);
    meta.uid = randomUUID();
    meta.creationTimestamp = k8sTime(this.now());
    if (input.spec !== undefined) meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (opts.dryRun) return frozenCopy({ ...input, metadata: { ...meta, resourceVersion: String(this.rv) } });
    meta.resourceVersion = String(++this.rv);
    const obj = frozenCopy({ ...input, metadata: meta });
    b.objects.set(key, obj);
    b.sorted = undefined;
    this.emit({ rv: this.rv, type: 'ADDED', resource: qualifiedName(def), object: obj });
    return obj;
  }

  /**
   * Replaces an object. A set `metadata.resourceVersion` that differs from the stored one is a 409 Conflict. An update
   * that changes nothing is a no-op: no new resourceVersion, no watch event (as in the API server). Returns the object
   * as stored.
   */
  update(def: ResourceDef, input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const key = keyOf(def.namespaced ? input.metadata.namespace : undefined, input.metadata.name);
    const b = this.bucket(def);
    const stored = b.objects.get(key);
    if (!stored) throw notFound(def, input.metadata.name);
    if (input.metadata.resourceVersion && input.metadata.resourceVersion !== stored.metadata.resourceVersion) {
      throw conflict(def, input.metadata.name);
    }
    const metadata = {
      ...input.metadata,
      uid: stored.metadata.uid,
      creationTimestamp: stored.metadata.creationTimestamp,
      resourceVersion: stored.metadata.resourceVersion
    };
    if (!def.namespaced) delete metadata.namespace;
    if (stored.metadata.generation !== undefined) {
      metadata.generation = stored.metadata.generation + (deepEqual(input.spec, stored.spec) ? 0 : 1);
    }
    const next = { ...input, metadata };
    if (deepEqual(next, stored)) return stored;
    if (opts.dryRun) return frozenCopy(next);
    metadata.resourceVersion = String(++this.rv);
    const obj = frozenCopy(next);
    b.objects.set(key, obj);
    this.emit({ rv: this.rv, type: 'MODIFIED', resource: qualifiedName(def), object: obj, previous: stored });
    return obj;
  }

  /** Deletes an object; returns it as it was at its deletion (with the deletion's resourceVersion). */
  remove(def: ResourceDef, namespace: string | undefined, name: string, opts: WriteOptions = {}): KubeObject {
    const key = keyOf(def.namespaced ? namespace : undefined, name);
    const b = this.bucket(def);
    const stored = b.objects.get(key);
    if (!stored) throw notFound(def, name);
    if (opts.dryRun) return stored;
    b.objects.delete(key);
    b.sorted = undefined;
    const gone = frozenCopy({ ...stored, metadata: { ...stored.metadata, resourceVersion: String(++this.rv) } });
    this.emit({ rv: this.rv, type: 'DELETED', resource: qualifiedName(def), object: gone });
    return gone;
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

  private bucket(def: ResourceDef): Bucket {
    const name = qualifiedName(def);
    let b = this.buckets.get(name);
    if (!b) this.buckets.set(name, (b = { objects: new Map() }));
    return b;
  }

  private emit(change: Change): void {
    this.history.push(change);
    while (this.history.length > this.historySize) this.compactedRv = this.history.shift()!.rv;
    for (const l of [...this.listeners]) l(change);
  }
}
