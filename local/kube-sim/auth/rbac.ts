import { type ApiError, forbiddenError } from '../api-errors.js';
import { type KubeObject, isRecord } from '../types.js';
import { SYSTEM_MASTERS, type UserInfo, serviceAccountUsername } from './user.js';

/*
 * The authorizer chain of kube-apiserver (--authorization-mode=RBAC): the privileged-groups authorizer lets
 * `system:masters` do anything, then RBAC walks the ClusterRoleBindings and, for a namespaced request, the
 * RoleBindings of that namespace, and allows at the first rule that matches (plugin/pkg/auth/authorizer/rbac,
 * pkg/registry/rbac/validation/rule.go). Nothing matching is "no opinion", which the server answers with 403. Pure: the
 * bindings and roles come from a source.
 */

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** authorizer.Attributes: what a request does, as the authorizer sees it. */
export interface Attributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
  /** The URL path (non-resource requests). */
  path: string;
}

export interface Decision {
  allowed: boolean;
  /** "RBAC: allowed by …", or why nothing could be evaluated ("RBAC: clusterrole… not found"); often empty. */
  reason: string;
}

/** Where the RBAC objects come from (the store). */
export interface RbacSource {
  clusterRoleBindings(): readonly KubeObject[];
  roleBindings(namespace: string): readonly KubeObject[];
  clusterRole(name: string): KubeObject | undefined;
  role(namespace: string, name: string): KubeObject | undefined;
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}
interface RoleRef {
  kind?: string;
  name?: string;
}

const rulesOf = (role: KubeObject): PolicyRule[] => (Array.isArray(role['rules']) ? (role['rules'] as PolicyRule[]) : []);
const subjectsOf = (b: KubeObject): Subject[] =>
  Array.isArray(b['subjects']) ? (b['subjects'] as unknown[]).filter(isRecord).map((s) => s as Subject) : [];
const roleRefOf = (b: KubeObject): RoleRef => (isRecord(b['roleRef']) ? (b['roleRef'] as RoleRef) : {});

/** appliesToUser: a User by name, a Group by membership, a ServiceAccount by its username. */
function appliesTo(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.username === s.name;
    case 'Group':
      return user.groups.includes(s.name ?? '');
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return Boolean(ns) && user.username === serviceAccountUsername(ns, s.name ?? '');
    }
    default:
      return false;
  }
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} "${s.name}/${s.namespace || bindingNamespace}"`;
  return `${s.kind} "${s.name}"`;
}

/** GetRoleReferenceRules: the rules of a binding's role, or the lister's not-found error. */
function referencedRules(source: RbacSource, ref: RoleRef, namespace: string): PolicyRule[] | string {
  if (ref.kind === 'ClusterRole') {
    const role = source.clusterRole(ref.name ?? '');
    return role ? rulesOf(role) : `clusterrole.rbac.authorization.k8s.io "${ref.name}" not found`;
  }
  if (ref.kind === 'Role') {
    const role = source.role(namespace, ref.name ?? '');
    return role ? rulesOf(role) : `role.rbac.authorization.k8s.io "${ref.name}" not found`;
  }
  return `unsupported role reference kind: "${ref.kind}"`;
}

type Visitor = (describe: () => string, rule: PolicyRule | undefined, error: string | undefined) => boolean;

/** VisitRulesFor: the rules that apply to the user in the namespace, ClusterRoleBindings first; stops when told. */
export function visitRules(source: RbacSource, user: UserInfo, namespace: string, visit: Visitor): void {
  const scopes: Array<{ bindings: readonly KubeObject[]; ns: string }> = [
    { bindings: source.clusterRoleBindings(), ns: '' },
    ...(namespace ? [{ bindings: source.roleBindings(namespace), ns: namespace }] : [])
  ];
  for (const { bindings, ns } of scopes) {
    for (const b of bindings) {
      const subject = subjectsOf(b).find((s) => appliesTo(user, s, ns));
      if (!subject) continue;
      const ref = roleRefOf(b);
      const rules = referencedRules(source, ref, ns);
      if (typeof rules === 'string') {
        if (!visit(() => '', undefined, rules)) return;
        continue;
      }
      const describe = (): string =>
        ns
          ? `RoleBinding "${b.metadata.name}/${ns}" of ${ref.kind} "${ref.name}" to ${describeSubject(subject, ns)}`
          : `ClusterRoleBinding "${b.metadata.name}" of ${ref.kind} "${ref.name}" to ${describeSubject(subject, '')}`;
      for (const rule of rules) if (!visit(describe, rule, undefined)) return;
    }
  }
}

const has = (list: string[] | undefined, v: string): boolean => (list ?? []).some((x) => x === '*' || x === v);

function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return (rule.resources ?? []).some((r) => r === '*' || r === combined || (subresource !== '' && r === `*/${subresource}`));
}

function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some(
    (u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, '')))
  );
}

/** RuleAllows: verbs, groups, resource (a star-slash-subresource rule too) and names; URLs for non-resource requests. */
export function ruleAllows(a: Attributes, rule: PolicyRule): boolean {
  if (!a.resourceRequest) return has(rule.verbs, a.verb) && nonResourceURLMatches(rule, a.path);
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const names = rule.resourceNames ?? [];
  return (
    has(rule.verbs, a.verb) &&
    has(rule.apiGroups, a.apiGroup) &&
    resourceMatches(rule, combined, a.subresource) &&
    (names.length === 0 || names.includes(a.name))
  );
}

/** utilerrors.NewAggregate(...).Error(). */
const aggregate = (errors: string[]): string => {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
};

/** The decision of the chain (privileged groups, then RBAC) for one request. */
export function authorize(source: RbacSource, a: Attributes): Decision {
  if (a.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: '' };
  const errors: string[] = [];
  let allowedBy: string | undefined;
  visitRules(source, a.user, a.namespace, (describe, rule, error) => {
    if (rule && ruleAllows(a, rule)) {
      allowedBy = `RBAC: allowed by ${describe()}`;
      return false;
    }
    if (error) errors.push(error);
    return true;
  });
  if (allowedBy) return { allowed: true, reason: allowedBy };
  return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : '' };
}

/** RulesFor: every rule that applies to the user in the namespace, and the errors met on the way. */
export function rulesFor(source: RbacSource, user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  visitRules(source, user, namespace, (_d, rule, error) => {
    if (rule) rules.push(rule);
    if (error) errors.push(error);
    return true;
  });
  return { rules, errors };
}

/** responsewriters.forbiddenMessage: the sentence after "… is forbidden: ". */
export function forbiddenMessage(a: Attributes): string {
  const user = a.user.username;
  if (!a.resourceRequest) return `User "${user}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${user}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${where}`;
}

/** responsewriters.Forbidden: the 403 Status for a denied request, with the authorizer's reason appended if any. */
export function forbidden(a: Attributes, reason: string): ApiError {
  const why = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  return forbiddenError({ group: a.apiGroup, resource: a.resource }, a.name, why);
}
