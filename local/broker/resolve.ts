import type { Destination, KReference } from './resources.js';

/** Turns a Knative Destination into a URL, or undefined when it cannot be resolved (yet). */
export type Resolve = (dest: Destination) => string | undefined;

/**
 * Builds a Resolve from a lookup of refs, with Knative Destination semantics: a `uri` alone is used as is; a `ref`
 * alone resolves to the ref's URL; a `ref` and a `uri` give the `uri` resolved relative to the ref's URL.
 *
 * @example
 * const resolve = createResolver((ref) => ports.has(ref.name) ? `http://127.0.0.1:${ports.get(ref.name)}` : undefined);
 * resolve({ ref: { kind: 'Service', name: 'sse-relay' }, uri: '/dead-letters' }); // → http://127.0.0.1:PORT/dead-letters
 */
export function createResolver(urlOfRef: (ref: KReference) => string | undefined): Resolve {
  return (dest) => {
    if (!dest.ref) return dest.uri;
    const base = urlOfRef(dest.ref);
    if (base === undefined) return undefined;
    return dest.uri === undefined ? base : new URL(dest.uri, base).toString();
  };
}

/** A short description of a destination for log lines and drop reasons. */
export function describeDestination(dest: Destination): string {
  const ref = dest.ref ? `${dest.ref.kind} ${dest.ref.namespace ? `${dest.ref.namespace}/` : ''}${dest.ref.name}` : '';
  return [ref, dest.uri].filter(Boolean).join(' + ');
}
