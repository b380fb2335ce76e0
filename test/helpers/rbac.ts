import type { KubeNeed } from '../../shared/runtime/define-function.js';

/*
 * The least-privilege rules of DESIGN §2, as a pure checker over RBAC objects: test/contract/rbac.test.ts runs it on
 * knative/ and on deliberately bad roles, so it is known to fail when it should.
 */

export interface RbacObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Array<{
    apiGroups?: string[];
    resources?: string[];
    verbs?: string[];
    resourceNames?: string[];
    nonResourceURLs?: string[];
  }>;
  roleRef?: { kind: string; name: string };
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
}

export interface FunctionNeeds {
  name: string;
  kube?: readonly KubeNeed[];
}

export const WRITE_VERBS: readonly string[] = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const ESCALATING_VERBS: readonly string[] = ['escalate', 'bind', 'impersonate'];

/** Every grant of each remediation, as `group/resource:verb` (`''` is the core group). Writes are the point. */
export const REMEDIATION_GRANTS: Readonly<Record<string, readonly string[]>> = {
  // Restarts go through the Eviction API so PodDisruptionBudgets apply: no pods delete.
  // Every mutating remediation reads the Service's Endpoints for its pre-action record (DESIGN §12).
  'remediate-restart-pods': [
    '/services:get',
    'apps/deployments:get',
    'apps/deployments:list',
    '/endpoints:get',
    '/pods:list',
    '/pods/eviction:create',
    // A wait for the budget its own first eviction spent watches the budgets.
    'policy/poddisruptionbudgets:list',
    'policy/poddisruptionbudgets:watch'
  ],
  'remediate-scale-up': [
    '/services:get',
    'apps/deployments:get',
    'apps/deployments:list',
    '/endpoints:get',
    'apps/deployments/scale:patch'
  ],
  'remediate-rollout-restart': [
    '/services:get',
    'apps/deployments:get',
    'apps/deployments:list',
    'apps/deployments:patch',
    '/endpoints:get'
  ],
  // Failed pods count against no budget: their clean-up stays a delete.
  'remediate-cleanup-failed-pods': [
    '/services:get',
    'apps/deployments:get',
    'apps/deployments:list',
    '/endpoints:get',
    '/pods:list',
    '/pods:delete'
  ],
  // Reads the template to go back to from the ReplicaSet of a revision (never from the request); no pod access.
  'remediate-rollback': [
    '/services:get',
    'apps/deployments:get',
    'apps/deployments:list',
    'apps/replicasets:list',
    'apps/deployments:patch',
    'apps/deployments/scale:patch'
  ],
  'remediate-report-oom': ['/services:get', 'apps/deployments:get', 'apps/deployments:list', '/pods:list'],
  'remediate-report-image-pull': ['/services:get', 'apps/deployments:get', 'apps/deployments:list', '/pods:list']
};

const grantsOf = (rules: NonNullable<RbacObject['rules']> | readonly KubeNeed[]): string[] =>
  rules.flatMap((r) =>
    (r.apiGroups ?? []).flatMap((g) => (r.resources ?? []).flatMap((res) => (r.verbs ?? []).map((v) => `${g}/${res}:${v}`)))
  );

const isWrite = (grant: string): boolean => WRITE_VERBS.includes(grant.slice(grant.lastIndexOf(':') + 1));

/**
 * Every violation of least privilege in the given RBAC objects, as sentences; empty when all is well.
 * `functions` are the definitions (name and declared kube needs) the roles were generated from.
 */
export function rbacViolations(objects: readonly RbacObject[], functions: readonly FunctionNeeds[]): string[] {
  const out: string[] = [];
  const byRole = new Map(functions.map((f) => [`cortex-${f.name}`, f]));
  for (const o of objects) {
    if (o.kind === 'ClusterRoleBinding')
      out.push(`ClusterRoleBinding ${o.metadata.name} grants cluster-wide: bind per target namespace instead`);
    if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
      const fn = byRole.get(o.roleRef?.name ?? '');
      const strangers = (o.subjects ?? []).filter((s) => s.kind !== 'ServiceAccount' || s.name !== fn?.name);
      if (fn && strangers.length)
        out.push(
          `${o.kind} ${o.metadata.name} gives ${o.roleRef?.name} to ${strangers.map((s) => `${s.kind} ${s.name}`).join(', ')}`
        );
    }
    if (o.kind !== 'ClusterRole' && o.kind !== 'Role') continue;
    const role = o.metadata.name;
    const fn = byRole.get(role);
    if (!fn) {
      out.push(`${role} belongs to no function`);
      continue;
    }
    for (const r of o.rules ?? []) {
      for (const [field, values] of Object.entries({
        apiGroups: r.apiGroups,
        resources: r.resources,
        verbs: r.verbs,
        resourceNames: r.resourceNames
      })) {
        if (values?.includes('*')) out.push(`${role} uses "*" in ${field}`);
      }
      if (r.nonResourceURLs?.length) out.push(`${role} grants nonResourceURLs`);
      if (r.resources?.some((res) => res === 'secrets' || res.startsWith('secrets/')))
        out.push(`${role} grants access to secrets`);
      for (const v of r.verbs ?? []) if (ESCALATING_VERBS.includes(v)) out.push(`${role} grants ${v}`);
    }
    const granted = grantsOf(o.rules ?? []);
    const declared = new Set(grantsOf(fn.kube ?? []));
    for (const g of granted) if (!declared.has(g)) out.push(`${role} grants ${g}, more than ${fn.name} declares`);
    const writes = granted.filter(isWrite);
    if (fn.name.startsWith('check-') && writes.length)
      out.push(`${role} gives check ${fn.name} write access: ${writes.join(', ')}`);
    const expected = REMEDIATION_GRANTS[fn.name];
    if (fn.name.startsWith('remediate-') && !expected)
      out.push(`${fn.name} has no expected grants listed: add it to REMEDIATION_GRANTS`);
    if (expected) {
      for (const g of granted) if (!expected.includes(g)) out.push(`${role} grants ${g}, which ${fn.name} must not have`);
      for (const g of expected) if (!granted.includes(g)) out.push(`${role} lacks ${g}, which ${fn.name} needs`);
    } else if (!fn.name.startsWith('check-') && writes.length) {
      out.push(`${role} gives ${fn.name} write access (${writes.join(', ')}); only remediations may write`);
    }
  }
  return out;
}
