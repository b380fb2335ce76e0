import { type IncomingMessage } from 'node:http';
import { type Route } from './routes.js';

/*
 * The write audit: every create, update, patch and delete the API serves to a client, with who asked and how it
 * ended, as a Kubernetes audit log at the RequestResponse stage would list it. Controllers and the kubelet write to
 * the store directly, so their own writes never appear here; dry runs appear, marked.
 */

export type WriteVerb = 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface WriteRecord {
  /** When the answer was sent (ms since epoch). */
  at: number;
  /** Who sent it (see {@link Identify}). */
  user: string;
  verb: WriteVerb;
  /** The resource's plural name (`deployments`, `pods`) and its group (`` for core). */
  resource: string;
  group: string;
  namespace?: string;
  /** Absent for a create and a deletecollection. */
  name?: string;
  subresource?: string;
  /** The HTTP status of the answer: 2xx changed something (unless `dryRun`), anything else did not. */
  code: number;
  dryRun: boolean;
}

/**
 * Names the user a request acts as. This is the seam authentication plugs into: until the simulator authenticates
 * requests, every bearer token is accepted and the token is the only name a client gives itself, so it is the user.
 */
export type Identify = (req: IncomingMessage) => string;

export const ANONYMOUS = 'system:anonymous';

export const bearerTokenUser: Identify = (req) =>
  /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1] ?? ANONYMOUS;

const VERBS: Record<string, WriteVerb> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/**
 * The record of a request if it is a write to a stored resource (not a virtual one like a SelfSubjectAccessReview,
 * which persists nothing), without its outcome; undefined for reads.
 *
 * @example
 * writeOf('PATCH', route, 'kube-sim-token', false); // → { user: 'kube-sim-token', verb: 'patch', resource: 'deployments', … }
 */
export function writeOf(
  method: string,
  route: Route,
  user: string,
  dryRun: boolean
): Omit<WriteRecord, 'at' | 'code'> | undefined {
  const verb = VERBS[method];
  if (!verb || route.type !== 'resource' || route.def.virtual) return undefined;
  return {
    user,
    verb: verb === 'delete' && route.name === undefined ? 'deletecollection' : verb,
    resource: route.def.plural,
    group: route.def.group,
    ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
    ...(route.name !== undefined ? { name: route.name } : {}),
    ...(route.sub !== undefined ? { subresource: route.sub } : {}),
    dryRun
  };
}
