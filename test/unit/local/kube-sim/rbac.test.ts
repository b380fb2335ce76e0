import { describe, expect, it } from 'vitest';
import {
  type Attributes,
  type PolicyRule,
  type RbacSource,
  authorize,
  forbiddenMessage,
  ruleAllows,
  rulesFor
} from '../../../../local/kube-sim/auth/rbac.js';
import { requestAttributes } from '../../../../local/kube-sim/auth/request-info.js';
import { type UserInfo, adminUser, anonymousUser } from '../../../../local/kube-sim/auth/user.js';
import { type KubeObject } from '../../../../local/kube-sim/types.js';

const sa = (ns: string, name: string): UserInfo => ({
  username: `system:serviceaccount:${ns}:${name}`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated']
});
const obj = (kind: string, name: string, namespace: string | undefined, rest: Record<string, unknown>): KubeObject =>
  ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    ...rest
  }) as KubeObject;

function source(objects: KubeObject[]): RbacSource {
  return {
    clusterRoleBindings: () => objects.filter((o) => o.kind === 'ClusterRoleBinding'),
    roleBindings: (ns) => objects.filter((o) => o.kind === 'RoleBinding' && o.metadata.namespace === ns),
    clusterRole: (name) => objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === name),
    role: (ns, name) => objects.find((o) => o.kind === 'Role' && o.metadata.namespace === ns && o.metadata.name === name)
  };
}

const attrs = (user: UserInfo, verb: string, resource: string, o: Partial<Attributes> = {}): Attributes => ({
  user,
  verb,
  resourceRequest: true,
  namespace: 'demo',
  apiGroup: '',
  apiVersion: 'v1',
  resource,
  subresource: '',
  name: '',
  path: '',
  ...o
});

describe('Kube simulator: RBAC rule matching (RuleAllows)', () => {
  const a = (o: Partial<Attributes>) => attrs(anonymousUser(), 'get', 'pods', o);
  it.each<[string, PolicyRule, Partial<Attributes>, boolean]>([
    ['exact verb, group and resource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, {}, true],
    ['another verb', { verbs: ['list'], apiGroups: [''], resources: ['pods'] }, {}, false],
    ['"*" verbs', { verbs: ['*'], apiGroups: [''], resources: ['pods'] }, {}, true],
    ['another group', { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, {}, false],
    ['"*" groups', { verbs: ['get'], apiGroups: ['*'], resources: ['pods'] }, {}, true],
    [
      '"*" resources, a subresource too',
      { verbs: ['get'], apiGroups: [''], resources: ['*'] },
      { subresource: 'log' },
      true
    ],
    [
      'the parent does not grant a subresource',
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      { subresource: 'log' },
      false
    ],
    ['the subresource exactly', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, { subresource: 'log' }, true],
    ['*/subresource', { verbs: ['get'], apiGroups: [''], resources: ['*/log'] }, { subresource: 'log' }, true],
    ['*/subresource without a subresource', { verbs: ['get'], apiGroups: [''], resources: ['*/log'] }, {}, false],
    [
      'pods/* is not "every subresource"',
      { verbs: ['get'], apiGroups: [''], resources: ['pods/*'] },
      { subresource: 'log' },
      false
    ],
    ['a listed name', { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }, { name: 'a' }, true],
    [
      'an unlisted name',
      { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
      { name: 'b' },
      false
    ],
    [
      'names do not grant an unnamed list',
      { verbs: ['list'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
      { verb: 'list' },
      false
    ],
    ['a URL', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, { resourceRequest: false, path: '/healthz' }, true],
    [
      'a URL prefix',
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
      { resourceRequest: false, path: '/apis/apps/v1' },
      true
    ],
    ['URLs do not grant resources', { verbs: ['get'], nonResourceURLs: ['*'] }, {}, false],
    [
      'resources do not grant URLs',
      { verbs: ['get'], apiGroups: ['*'], resources: ['*'] },
      { resourceRequest: false, path: '/x' },
      false
    ]
  ])('%s → %s', (_name, rule, o, allowed) => {
    // Act
    const result = ruleAllows(a(o), rule);
    // Assess
    expect(result).toBe(allowed);
  });
});

describe('Kube simulator: the RBAC authorizer', () => {
  const reader = sa('cortex', 'reader');
  const objects = [
    obj('ClusterRole', 'read-pods', undefined, {
      rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }]
    }),
    obj('Role', 'logs', 'demo', { rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }] }),
    obj('RoleBinding', 'reader-pods', 'demo', {
      roleRef: { kind: 'ClusterRole', name: 'read-pods' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'cortex' }]
    }),
    obj('RoleBinding', 'local-logs', 'demo', {
      roleRef: { kind: 'Role', name: 'logs' },
      subjects: [{ kind: 'ServiceAccount', name: 'default' }]
    }),
    obj('ClusterRoleBinding', 'ops', undefined, {
      roleRef: { kind: 'ClusterRole', name: 'read-pods' },
      subjects: [{ kind: 'Group', name: 'ops' }]
    }),
    obj('RoleBinding', 'dangling', 'demo', {
      roleRef: { kind: 'ClusterRole', name: 'gone' },
      subjects: [{ kind: 'User', name: 'alice' }]
    })
  ];
  const src = source(objects);

  it('a RoleBinding to a ClusterRole grants it in the binding namespace only, and says so', () => {
    // Act
    const inDemo = authorize(src, attrs(reader, 'list', 'pods'));
    const inOther = authorize(src, attrs(reader, 'list', 'pods', { namespace: 'kube-system' }));
    const clusterWide = authorize(src, attrs(reader, 'list', 'pods', { namespace: '' }));
    // Assess
    expect(inDemo).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "reader-pods/demo" of ClusterRole "read-pods" to ServiceAccount "reader/cortex"'
    });
    expect(inOther).toEqual({ allowed: false, reason: '' });
    expect(clusterWide.allowed).toBe(false);
  });

  it('a ServiceAccount subject without a namespace means the binding namespace', () => {
    // Act
    const local = authorize(src, attrs(sa('demo', 'default'), 'get', 'pods', { subresource: 'log', name: 'p' }));
    const stranger = authorize(src, attrs(sa('cortex', 'default'), 'get', 'pods', { subresource: 'log', name: 'p' }));
    // Assess
    expect(local.allowed).toBe(true);
    expect(stranger.allowed).toBe(false);
  });

  it('a ClusterRoleBinding to a group grants everywhere', () => {
    // Act
    const d = authorize(
      src,
      attrs({ username: 'bob', groups: ['ops', 'system:authenticated'] }, 'get', 'pods', { namespace: 'x' })
    );
    // Assess
    expect(d).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "ops" of ClusterRole "read-pods" to Group "ops"'
    });
  });

  it('a binding to a missing role denies with the lister error as the reason', () => {
    // Act
    const d = authorize(src, attrs({ username: 'alice', groups: ['system:authenticated'] }, 'get', 'pods'));
    // Assess
    expect(d).toEqual({ allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found' });
  });

  it('system:masters is allowed anything, with no RBAC reason (the privileged-groups authorizer)', () => {
    // Act
    const d = authorize(source([]), attrs(adminUser(), 'delete', 'nodes', { namespace: '' }));
    // Assess
    expect(d).toEqual({ allowed: true, reason: '' });
  });

  it('rulesFor lists what applies in a namespace', () => {
    // Act
    const r = rulesFor(src, reader, 'demo');
    // Assess
    expect(r).toEqual({ rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }], errors: [] });
  });

  it.each([
    [
      attrs(sa('cortex', 'x'), 'list', 'pods'),
      'User "system:serviceaccount:cortex:x" cannot list resource "pods" in API group "" in the namespace "demo"'
    ],
    [
      attrs(sa('cortex', 'x'), 'create', 'pods', { subresource: 'eviction', name: 'p' }),
      'User "system:serviceaccount:cortex:x" cannot create resource "pods/eviction" in API group "" in the namespace "demo"'
    ],
    [
      attrs(sa('cortex', 'x'), 'list', 'nodes', { namespace: '' }),
      'User "system:serviceaccount:cortex:x" cannot list resource "nodes" in API group "" at the cluster scope'
    ],
    [
      attrs(anonymousUser(), 'get', '', { resourceRequest: false, path: '/api' }),
      'User "system:anonymous" cannot get path "/api"'
    ]
  ])('forbiddenMessage %#', (a, message) => {
    // Act
    const m = forbiddenMessage(a);
    // Assess
    expect(m).toBe(message);
  });
});

describe('Kube simulator: request attributes (RequestInfoFactory)', () => {
  const user = anonymousUser();
  it.each<[string, string, string, Partial<Attributes>]>([
    ['GET', '/api', '', { resourceRequest: false, verb: 'get', path: '/api' }],
    ['GET', '/apis/apps/v1', '', { resourceRequest: false }],
    ['GET', '/version', '', { resourceRequest: false }],
    ['GET', '/api/v1/namespaces/demo/pods', '', { verb: 'list', namespace: 'demo', resource: 'pods' }],
    ['GET', '/api/v1/namespaces/demo/pods', 'watch=True', { verb: 'watch' }],
    ['GET', '/api/v1/namespaces/demo/pods', 'watch=0', { verb: 'list' }],
    ['GET', '/api/v1/namespaces/demo/pods', 'fieldSelector=metadata.name%3Dp', { verb: 'list', name: 'p' }],
    ['GET', '/api/v1/namespaces/demo/pods/p/log', '', { verb: 'get', name: 'p', subresource: 'log' }],
    ['POST', '/api/v1/namespaces/demo/pods/p/eviction', '', { verb: 'create', name: 'p', subresource: 'eviction' }],
    ['DELETE', '/api/v1/namespaces/demo/pods', '', { verb: 'deletecollection' }],
    [
      'PATCH',
      '/apis/apps/v1/namespaces/demo/deployments/d/scale',
      '',
      { verb: 'patch', apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }
    ],
    ['GET', '/api/v1/namespaces/demo', '', { verb: 'get', namespace: 'demo', resource: 'namespaces', name: 'demo' }],
    [
      'PUT',
      '/api/v1/namespaces/demo/finalize',
      '',
      { verb: 'update', resource: 'namespaces', name: 'demo', subresource: 'finalize' }
    ],
    ['GET', '/api/v1/nodes', '', { verb: 'list', namespace: '', resource: 'nodes' }],
    ['GET', '/apis/apps/v1/deployments', '', { verb: 'list', namespace: '', apiGroup: 'apps', resource: 'deployments' }]
  ])('%s %s?%s', (method, path, query, expected) => {
    // Act
    const a = requestAttributes(method, path, new URLSearchParams(query), user);
    // Assess
    expect(a).toMatchObject({ resourceRequest: true, ...expected });
  });
});
