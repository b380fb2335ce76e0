import { type PodTemplate, clone, deepEqual, isRecord } from '../types.js';

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

/** Template metadata as compared: no null creationTimestamp; a ReplicaSet's also without its hash label. */
function comparedMeta(meta: PodTemplate['metadata'], dropHash: boolean): Record<string, unknown> | undefined {
  if (!meta) return undefined;
  const m: Record<string, unknown> = { ...meta };
  if (m['creationTimestamp'] === null) delete m['creationTimestamp'];
  const labels = m['labels'];
  if (dropHash && isRecord(labels)) {
    const rest = { ...labels };
    delete rest[HASH_LABEL];
    if (Object.keys(rest).length > 0) m['labels'] = rest;
    else delete m['labels'];
  }
  return m;
}

/**
 * Whether a ReplicaSet's template is its Deployment's: equal once both are normalized and the ReplicaSet's hash label
 * is left out. Compared in place, without copying the templates: the controller compares every Deployment with its
 * ReplicaSets on each pass, and copying them was most of the simulator's time in a namespace of many Deployments.
 */
export function sameTemplate(rsTemplate: PodTemplate, deploymentTemplate: PodTemplate): boolean {
  const { metadata: a, ...restA } = rsTemplate;
  const { metadata: b, ...restB } = deploymentTemplate;
  return deepEqual(restA, restB) && deepEqual(comparedMeta(a, true), comparedMeta(b, false));
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
