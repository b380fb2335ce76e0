import { type PodTemplate, clone, isRecord } from '../types.js';

/*
 * A pod template's identity as the deployment controller sees it: the `pod-template-hash` of its ReplicaSet and
 * the comparison that finds a Deployment's current ReplicaSet.
 */

export const HASH_LABEL = 'pod-template-hash';

/** JSON with object keys sorted at every level (as Go marshals maps), so equal objects print the same. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isRecord(v))
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** The template as compared and hashed: without a null creationTimestamp (kubectl rollout undo sends the template
 * back with `metadata.creationTimestamp: null`). */
export function normalized(template: PodTemplate): PodTemplate {
  const t = clone(template);
  if (t.metadata && t.metadata['creationTimestamp'] === null) delete t.metadata['creationTimestamp'];
  return t;
}

/** A ReplicaSet's template without its hash label, to compare with its Deployment's. */
export function withoutHash(template: PodTemplate): PodTemplate {
  const t = normalized(template);
  if (t.metadata?.labels) {
    delete t.metadata.labels[HASH_LABEL];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  return t;
}

/** FNV-1a 32 of the template, encoded like `rand.SafeEncodeString` (e.g. `7d4b9c8f6`). */
export function podTemplateHash(template: PodTemplate): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(stableJson(normalized(template)))) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const alphanums = 'bcdfghjklmnpqrstvwxz2456789';
  return [...String(h)].map((c) => alphanums[c.charCodeAt(0) % alphanums.length]).join('');
}
