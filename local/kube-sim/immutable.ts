/*
 * What the store keeps is immutable: every stored object is deep-frozen, so the controllers, the kubelet and the API
 * share one copy of it (as client-go's informers share their cache) and an accidental write to a shared object throws
 * a TypeError instead of changing the cluster behind the store's back. A writer builds a new object, typically by
 * spreading the stored one and replacing what changes; the store copies only those new parts.
 */

const isPlain = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * A deep-frozen copy of JSON-shaped data that reuses the parts that are frozen already (parts of stored objects, which
 * are deep-frozen), so an update that keeps most of an object copies only what it changed. The input is left as it
 * was: the caller may go on changing its own objects.
 *
 * @example
 * const stored = frozenCopy(pod);
 * const next = frozenCopy({ ...stored, status }); // copies `status`, shares `stored.spec` and `stored.metadata`
 */
export function frozenCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as T;
  if (!isPlain(value)) return Object.freeze(structuredClone(value));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = frozenCopy((value as Record<string, unknown>)[key]);
  return Object.freeze(out) as T;
}
