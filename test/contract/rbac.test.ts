import { describe, expect, it } from 'vitest';
import { loadAll } from '../../functions/index.js';
import { readManifests } from '../helpers/manifests.js';
import { REMEDIATION_GRANTS, rbacViolations, type FunctionNeeds, type RbacObject } from '../helpers/rbac.js';

const defs = await loadAll();
const rbacKinds = new Set(['ClusterRole', 'Role', 'RoleBinding', 'ClusterRoleBinding']);
// The functions' RBAC; knative/oidc's one binding (the issuer's public keys) is checked on its own below.
const objects = readManifests()
  .filter((m) => !m.file.startsWith('oidc/'))
  .map((m) => m.object as RbacObject)
  .filter((o) => rbacKinds.has(o.kind));

describe('Contract: RBAC in knative/ is least privilege', () => {
  it('grants no function more than it declares, no secrets, no "*", no write to a check, and each remediation only its own writes', () => {
    // Act
    const violations = rbacViolations(objects, defs);
    // Assess
    expect(violations).toEqual([]);
  });

  it('has one ClusterRole per function with Kubernetes needs, and one for each remediation present', () => {
    // Prepare
    const roles = objects.filter((o) => o.kind === 'ClusterRole').map((o) => o.metadata.name);
    const withNeeds = defs.filter((d) => d.kube?.length).map((d) => `cortex-${d.name}`);
    const remediations = defs.filter((d) => d.name.startsWith('remediate-')).map((d) => d.name);
    // Assess
    expect(roles.sort()).toEqual(withNeeds.sort());
    expect(remediations.sort()).toEqual(Object.keys(REMEDIATION_GRANTS).sort());
  });

  it('gives approvals no Kubernetes access at all: no role, no binding (it decides nothing about the cluster)', () => {
    // Prepare
    const approvals = defs.find((d) => d.name === 'approvals');
    const mentions = objects.filter(
      (o) => o.metadata.name.includes('approvals') || (o.subjects ?? []).some((s) => s.name === 'approvals')
    );
    // Assess
    expect(approvals?.kube ?? []).toEqual([]);
    expect(mentions.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([]);
  });

  it('binds every ClusterRole in the demo target namespace only', () => {
    // Prepare
    const bindings = objects.filter((o) => o.kind === 'RoleBinding');
    // Assess
    expect(bindings.map((b) => b.metadata.namespace).every((ns) => ns === 'demo')).toBe(true);
    expect(bindings.map((b) => b.roleRef?.name).sort()).toEqual(
      objects
        .filter((o) => o.kind === 'ClusterRole')
        .map((o) => o.metadata.name)
        .sort()
    );
  });

  it("knative/oidc binds nothing but Kubernetes' issuer-discovery role (public keys), and no role of a function", () => {
    // Prepare
    const oidc = readManifests()
      .filter((m) => m.file.startsWith('oidc/'))
      .map((m) => m.object as RbacObject)
      .filter((o) => rbacKinds.has(o.kind));
    // Assess
    expect(oidc.map((o) => [o.kind, o.roleRef?.name])).toEqual([
      ['ClusterRoleBinding', 'system:service-account-issuer-discovery']
    ]);
  });
});

describe("Contract: an extra grant in any function's generated role is caught", () => {
  const roles = objects.filter((o) => o.kind === 'ClusterRole');
  // One grant no function declares: reading ConfigMaps.
  const extra = { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] };

  it.each(roles.map((r) => [r.metadata.name, r] as const))('%s with one more rule is a violation', (name, role) => {
    // Prepare
    const widened: RbacObject = { ...role, rules: [...(role.rules ?? []), extra] };
    // Act
    const violations = rbacViolations([widened], defs);
    // Assess
    expect(violations.join('\n')).toContain(`${name} grants /configmaps:get`);
  });

  it.each(roles.map((r) => [r.metadata.name, r] as const))(
    '%s with a declared verb widened to "*" is a violation',
    (name, role) => {
      // Prepare
      const [first, ...rest] = role.rules ?? [];
      const widened: RbacObject = { ...role, rules: [{ ...first!, verbs: ['*'] }, ...rest] };
      // Act
      const violations = rbacViolations([widened], defs);
      // Assess
      expect(violations.join('\n')).toContain(`${name} uses "*" in verbs`);
    }
  );
});

describe('Contract: the RBAC checker', () => {
  const reads = [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }];
  const fns: FunctionNeeds[] = [
    { name: 'check-pod-status', kube: reads },
    {
      name: 'remediate-scale-up',
      kube: [
        { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'], verbs: ['get', 'list', 'patch'] },
        { apiGroups: [''], resources: ['services'], verbs: ['get'] }
      ]
    },
    { name: 'healing-coordinator', kube: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'update'] }] }
  ];
  const role = (name: string, rules: RbacObject['rules']): RbacObject => ({
    kind: 'ClusterRole',
    metadata: { name },
    rules
  });

  it.each([
    [
      'a check that can delete pods',
      role('cortex-check-pod-status', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] }]),
      /check-pod-status grants \/pods:delete, more than|gives check check-pod-status write access: \/pods:delete/
    ],
    [
      'a wildcard verb',
      role('cortex-check-pod-status', [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }]),
      /uses "\*" in verbs/
    ],
    [
      'a wildcard resource',
      role('cortex-check-pod-status', [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }]),
      /uses "\*" in resources/
    ],
    [
      'secrets',
      role('cortex-check-pod-status', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]),
      /grants access to secrets/
    ],
    [
      'more than declared',
      role('cortex-check-pod-status', [...reads, { apiGroups: [''], resources: ['events'], verbs: ['list'] }]),
      /grants \/events:list, more than check-pod-status declares/
    ],
    [
      'a remediation patching the whole Deployment',
      role('cortex-remediate-scale-up', [
        { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'], verbs: ['get', 'list', 'patch'] },
        { apiGroups: [''], resources: ['services'], verbs: ['get'] }
      ]),
      /grants apps\/deployments:patch, which remediate-scale-up must not have/
    ],
    [
      'a remediation without its write',
      role('cortex-remediate-scale-up', [
        { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'], verbs: ['get', 'list'] },
        { apiGroups: [''], resources: ['services'], verbs: ['get'] }
      ]),
      /lacks apps\/deployments\/scale:patch/
    ],
    [
      'a writing non-remediation',
      role('cortex-healing-coordinator', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'update'] }]),
      /only remediations may write/
    ],
    ['a role of no function', role('cortex-mystery', reads), /cortex-mystery belongs to no function/],
    [
      'a cluster-wide binding',
      {
        kind: 'ClusterRoleBinding',
        metadata: { name: 'x' },
        roleRef: { kind: 'ClusterRole', name: 'cortex-check-pod-status' },
        subjects: [{ kind: 'ServiceAccount', name: 'check-pod-status' }]
      },
      /grants cluster-wide/
    ],
    [
      'a binding to another account',
      {
        kind: 'RoleBinding',
        metadata: { name: 'x', namespace: 'demo' },
        roleRef: { kind: 'ClusterRole', name: 'cortex-remediate-scale-up' },
        subjects: [{ kind: 'ServiceAccount', name: 'check-pod-status' }]
      },
      /gives cortex-remediate-scale-up to ServiceAccount check-pod-status/
    ]
  ] as const)('rejects %s', (_name, bad, message) => {
    // Act
    const violations = rbacViolations([bad as RbacObject], fns);
    // Assess
    expect(violations.join('\n')).toMatch(message);
  });

  it('accepts a read-only check role that matches its declaration', () => {
    // Act
    const violations = rbacViolations([role('cortex-check-pod-status', reads)], fns);
    // Assess
    expect(violations).toEqual([]);
  });
});
