/*
 * Loop protection (knative/eventing pkg/broker/ttl.go and the ingress TTL defaulter): the ingress sets
 * knativebrokerttl to 255 when the event has none and decrements it when it has one; an event whose TTL is then
 * ≤ 0 is rejected. The filter strips the TTL before delivery and puts the delivered event's TTL on a reply, so each
 * reply hop costs one. A TTL that is not an integer is replaced by the default, as Knative does.
 */

/** Knative's default MAX_TTL. */
export const MAX_TTL = 255;

/** The TTL as an integer, from a structured-mode number or a binary-mode header string; undefined otherwise. */
export function readTtl(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** The TTL an event gets at the ingress, and whether the one it carried was unreadable. */
export function ingressTtl(value: unknown): { ttl: number; malformed: boolean } {
  if (value === undefined || value === null) return { ttl: MAX_TTL, malformed: false };
  const current = readTtl(value);
  return current === undefined ? { ttl: MAX_TTL, malformed: true } : { ttl: current - 1, malformed: false };
}
