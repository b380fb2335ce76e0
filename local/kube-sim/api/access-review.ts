import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type FieldCause, badRequest, invalid } from '../api-errors.js';
import { type Attributes, type PolicyRule, authorize, rulesFor } from '../auth/rbac.js';
import { type UserInfo } from '../auth/user.js';
import { type ResourceDef, groupVersion } from '../resources.js';
import { isRecord } from '../types.js';
import { type ApiContext } from './context.js';
import { mediaType, parseJson, readBody, requireMethod, sendJson } from './http-util.js';
import { msg, reviewSpecFromProtobuf, unwrapEnvelope } from './protobuf.js';

/*
 * The review APIs, answered from the same authorizer as every request (pkg/registry/authorization):
 * SelfSubjectAccessReview (`kubectl auth can-i`), SubjectAccessReview and LocalSubjectAccessReview (any user, by an
 * identity allowed to create them), SelfSubjectRulesReview (`kubectl auth can-i --list`) and SelfSubjectReview
 * (`kubectl auth whoami`). Bodies are JSON, or protobuf for the access reviews (kubernetes-mcp-server sends one).
 */

type Spec = Record<string, unknown>;

async function readReview(req: IncomingMessage): Promise<{ spec: Spec; metadata: unknown }> {
  const body = await readBody(req);
  if (mediaType(req.headers['content-type']) === 'application/vnd.kubernetes.protobuf') {
    const { raw } = unwrapEnvelope(body);
    return { spec: reviewSpecFromProtobuf(msg(raw, 2)), metadata: {} };
  }
  const obj = parseJson(body);
  if (!isRecord(obj)) throw badRequest('the body of the request must be a review object');
  return { spec: isRecord(obj['spec']) ? obj['spec'] : {}, metadata: obj['metadata'] ?? {} };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** ValidateSubjectAccessReviewSpec and its self/local variants. */
function validate(kind: string, spec: Spec, needsSubject: boolean): void {
  const causes: FieldCause[] = [];
  const ra = spec['resourceAttributes'];
  const nra = spec['nonResourceAttributes'];
  if (isRecord(ra) && isRecord(nra))
    causes.push({
      field: 'spec.nonResourceAttributes',
      value: nra,
      detail: 'cannot be specified in combination with resourceAttributes'
    });
  if (!isRecord(ra) && !isRecord(nra))
    causes.push({
      field: 'spec.resourceAttributes',
      value: 'null',
      detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified'
    });
  if (kind === 'LocalSubjectAccessReview' && isRecord(nra))
    causes.push({ field: 'spec.nonResourceAttributes', value: nra, detail: 'disallowed on this kind of request' });
  const groups = Array.isArray(spec['groups']) ? spec['groups'] : [];
  if (needsSubject && !str(spec['user']) && groups.length === 0)
    causes.push({ field: 'spec.user', value: '', detail: 'at least one of user or group must be specified' });
  if (causes.length) throw invalid(kind, 'authorization.k8s.io', '', causes);
}

/** authorizationutil.ResourceAttributesFrom / NonResourceAttributesFrom. */
function attributesOf(user: UserInfo, spec: Spec): Attributes {
  const ra = isRecord(spec['resourceAttributes']) ? spec['resourceAttributes'] : undefined;
  const nra = isRecord(spec['nonResourceAttributes']) ? spec['nonResourceAttributes'] : {};
  return {
    user,
    verb: str(ra ? ra['verb'] : nra['verb']),
    resourceRequest: ra !== undefined,
    namespace: str(ra?.['namespace']),
    apiGroup: str(ra?.['group']),
    apiVersion: str(ra?.['version']) || '*',
    resource: str(ra?.['resource']),
    subresource: str(ra?.['subresource']),
    name: str(ra?.['name']),
    path: str(nra['path'])
  };
}

function subjectOf(spec: Spec): UserInfo {
  const extra = isRecord(spec['extra']) ? (spec['extra'] as Record<string, string[]>) : undefined;
  return {
    username: str(spec['user']),
    groups: Array.isArray(spec['groups']) ? spec['groups'].map(String) : [],
    ...(str(spec['uid']) ? { uid: str(spec['uid']) } : {}),
    ...(extra ? { extra } : {})
  };
}

function rulesStatus(rules: PolicyRule[], errors: string[]): Record<string, unknown> {
  return {
    resourceRules: rules
      .filter((r) => r.resources?.length)
      .map((r) => ({
        verbs: r.verbs ?? [],
        apiGroups: r.apiGroups ?? [],
        resources: r.resources ?? [],
        ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {})
      })),
    nonResourceRules: rules
      .filter((r) => r.nonResourceURLs?.length)
      .map((r) => ({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs ?? [] })),
    incomplete: false,
    ...(errors.length ? { evaluationError: errors.join(', ') } : {})
  };
}

export async function serveReview(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  def: ResourceDef,
  namespace: string | undefined,
  user: UserInfo
): Promise<void> {
  requireMethod(req, 'POST');
  const { spec, metadata } = await readReview(req);
  let status: Record<string, unknown>;
  switch (def.kind) {
    case 'SelfSubjectReview':
      status = { userInfo: user };
      break;
    case 'SelfSubjectRulesReview': {
      const { rules, errors } = rulesFor(ctx.rbac, user, str(spec['namespace']));
      status = rulesStatus(rules, errors);
      break;
    }
    default: {
      const self = def.kind === 'SelfSubjectAccessReview';
      validate(def.kind, spec, !self);
      const ra = spec['resourceAttributes'];
      if (def.kind === 'LocalSubjectAccessReview' && isRecord(ra) && str(ra['namespace']) !== namespace)
        throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
      const decision = authorize(ctx.rbac, attributesOf(self ? user : subjectOf(spec), spec));
      status = { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) };
    }
  }
  sendJson(res, 201, {
    kind: def.kind,
    apiVersion: groupVersion(def),
    metadata: { ...(isRecord(metadata) ? metadata : {}), creationTimestamp: null },
    spec,
    status
  });
}
