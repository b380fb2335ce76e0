import type { AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { serviceAudience } from '../../shared/trust/identity.js';
import { keyEnv, type LocalSecrets } from './secrets.js';

/*
 * A split function on the local stack (the relay, docs/security.md): its Triggers name its ingest Service
 * (`sse-relay-ingest`), which the broker resolves by name. Run in the stack's process, or as replicas without Redis,
 * it is one process that serves both halves under both names. As replicas on Redis it is what a cluster runs: the
 * ingest half and the public half as separate processes, each with the role and the keys of its Service.
 */

/** One process group the stack runs for a function: the name it is known by, its extra environment, its aliases. */
export interface Half {
  readonly name: string;
  readonly env: Record<string, string>;
  /** Other Service names that resolve to it (a whole split function answers for its ingest too). */
  readonly aliases: readonly string[];
}

/**
 * @example
 * halvesOf(relay, secrets, 'tok', true); // → [{ name: 'sse-relay-ingest', … role ingest }, { name: 'sse-relay', … role stream }]
 */
export function halvesOf(def: AnyFunctionDef, secrets: LocalSecrets, namespace: string, apart: boolean): Half[] {
  const split = def.knative?.split;
  if (!split) return [{ name: def.name, env: keyEnv(def, secrets), aliases: [] }];
  // The deliveries are addressed to the ingest Service: its audience is the one the broker's tokens name.
  const ingestEnv = { ...keyEnv(def, secrets), CORTEX_EVENT_AUDIENCE: serviceAudience(namespace, split.ingest) };
  if (!apart) return [{ name: def.name, env: ingestEnv, aliases: [split.ingest] }];
  return [
    { name: split.ingest, env: { ...ingestEnv, ...split.env.ingest }, aliases: [] },
    // The public half verifies nothing: it holds only the keys it signs with.
    { name: def.name, env: { ...keyEnv({ trust: { sign: def.trust?.sign } }, secrets), ...split.env.routes }, aliases: [] }
  ];
}
