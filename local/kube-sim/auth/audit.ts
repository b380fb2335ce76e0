import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Attributes, type Decision } from './rbac.js';
import { type UserInfo } from './user.js';

/*
 * An audit log at level Metadata, one audit.k8s.io/v1 Event per request when its response completes: who (the
 * authenticated user, and the impersonated one), what (verb and objectRef), the authorization decision and the status
 * code. Writes also say whether they were dry runs, so a harness can count what each identity really changed. Kept in
 * memory, newest last, bounded.
 */

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: 'Metadata';
  auditID: string;
  stage: 'ResponseComplete';
  requestURI: string;
  verb: string;
  user: UserInfo;
  impersonatedUser?: UserInfo;
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: {
    resource: string;
    namespace?: string;
    name?: string;
    apiGroup?: string;
    apiVersion?: string;
    subresource?: string;
  };
  responseStatus: { metadata: Record<string, never>; code: number };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations: Record<string, string>;
  /** Not in audit.k8s.io: whether a write was a dry run (`dryRun=All`, in the query or the DeleteOptions). */
  dryRun: boolean;
}

/** A write as a harness counts it. */
export interface AuditedWrite {
  time: string;
  user: string;
  verb: string;
  /** `pods`, `pods/eviction`, `deployments.apps/scale`. */
  resource: string;
  namespace?: string;
  name?: string;
  code: number;
  dryRun: boolean;
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

interface Pending {
  event: AuditEvent;
}

export class AuditLog {
  private readonly events: AuditEvent[] = [];
  private readonly pending = new WeakMap<IncomingMessage, Pending>();
  private readonly writeListeners = new Set<(w: AuditedWrite) => void>();

  constructor(private readonly o: { max: number; now: () => number }) {}

  /** Starts the record of a request; it is stored when the response finishes (or the connection closes). */
  begin(req: IncomingMessage, res: ServerResponse, user: UserInfo): void {
    const iso = new Date(this.o.now()).toISOString();
    const event: AuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: randomUUID(),
      stage: 'ResponseComplete',
      requestURI: req.url ?? '/',
      verb: (req.method ?? 'GET').toLowerCase(),
      user,
      sourceIPs: [req.socket.remoteAddress ?? ''],
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      responseStatus: { metadata: {}, code: 0 },
      requestReceivedTimestamp: iso,
      stageTimestamp: iso,
      annotations: {},
      dryRun: new URL(req.url ?? '/', 'http://localhost').searchParams.getAll('dryRun').includes('All')
    };
    this.pending.set(req, { event });
    const finish = (): void => {
      if (!this.pending.has(req)) return;
      this.pending.delete(req);
      event.responseStatus.code = res.statusCode;
      event.stageTimestamp = new Date(this.o.now()).toISOString();
      this.events.push(event);
      if (this.events.length > this.o.max) this.events.splice(0, this.events.length - this.o.max);
      const write = this.writeListeners.size > 0 ? writeOf(event) : undefined;
      if (write) for (const l of this.writeListeners) l(write);
    };
    res.once('finish', finish);
    res.once('close', finish);
  }

  /** Records the identity a request acts as and what it does, with the authorizer's decision. */
  authorized(req: IncomingMessage, a: Attributes, decision: Decision, impersonated: boolean): void {
    const p = this.pending.get(req);
    if (!p) return;
    if (impersonated) p.event.impersonatedUser = a.user;
    p.event.verb = a.verb;
    if (a.resourceRequest)
      p.event.objectRef = {
        resource: a.resource,
        ...(a.namespace ? { namespace: a.namespace } : {}),
        ...(a.name ? { name: a.name } : {}),
        apiGroup: a.apiGroup,
        apiVersion: a.apiVersion,
        ...(a.subresource ? { subresource: a.subresource } : {})
      };
    p.event.annotations['authorization.k8s.io/decision'] = decision.allowed ? 'allow' : 'forbid';
    p.event.annotations['authorization.k8s.io/reason'] = decision.reason;
  }

  /** Marks the request as a dry run (DeleteOptions in a body, an Eviction's deleteOptions). */
  markDryRun(req: IncomingMessage): void {
    const p = this.pending.get(req);
    if (p) p.event.dryRun = true;
  }

  /** Every recorded event, oldest first (copies). */
  list(): AuditEvent[] {
    return structuredClone(this.events);
  }

  /** The writes, as the acting user (impersonated, if so) made them. */
  writes(): AuditedWrite[] {
    return this.events.map(writeOf).filter((w): w is AuditedWrite => w !== undefined);
  }

  /** Calls `listener` with every write as its response completes; returns the unsubscribe. */
  onWrite(listener: (w: AuditedWrite) => void): () => void {
    this.writeListeners.add(listener);
    return () => void this.writeListeners.delete(listener);
  }
}

/** Creates that persist nothing: access and token reviews, and TokenRequests (`serviceaccounts/token`). */
const persistsNothing = (ref: NonNullable<AuditEvent['objectRef']>): boolean =>
  ref.apiGroup === 'authorization.k8s.io' || ref.apiGroup === 'authentication.k8s.io' || ref.subresource === 'token';

/** A completed audit event as a write, or undefined for reads, reviews and requests that name no object. */
function writeOf(e: AuditEvent): AuditedWrite | undefined {
  if (!WRITE_VERBS.has(e.verb) || !e.objectRef || persistsNothing(e.objectRef)) return undefined;
  const ref = e.objectRef;
  const resource = `${ref.resource}${ref.apiGroup ? `.${ref.apiGroup}` : ''}${ref.subresource ? `/${ref.subresource}` : ''}`;
  return {
    time: e.requestReceivedTimestamp,
    user: (e.impersonatedUser ?? e.user).username,
    verb: e.verb,
    resource,
    ...(ref.namespace ? { namespace: ref.namespace } : {}),
    ...(ref.name ? { name: ref.name } : {}),
    code: e.responseStatus.code,
    dryRun: e.dryRun
  };
}
