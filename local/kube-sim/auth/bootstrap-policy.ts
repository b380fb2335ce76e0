import { type KubeObject } from '../types.js';
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, SYSTEM_MASTERS } from './user.js';

/*
 * The default RBAC objects every cluster has (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), the ones the
 * simulator's clients rely on: cluster-admin for system:masters, discovery and version for every authenticated user
 * (kubectl discovers the API as the impersonated user too), health and version for anyone, and self-reviews
 * (`kubectl auth can-i` posts a SelfSubjectAccessReview as the user it asks about).
 */

const meta = (name: string): KubeObject['metadata'] =>
  ({
    name,
    labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
    annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' }
  }) as unknown as KubeObject['metadata'];

const clusterRole = (name: string, rules: object[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: meta(name),
  rules
});

const bindGroups = (name: string, role: string, groups: string[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: meta(name),
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
  subjects: groups.map((g) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: g }))
});

const PUBLIC_INFO = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

export function bootstrapPolicy(): { clusterRoles: KubeObject[]; clusterRoleBindings: KubeObject[] } {
  return {
    clusterRoles: [
      clusterRole('cluster-admin', [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['*'] }
      ]),
      clusterRole('system:discovery', [
        {
          nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', ...PUBLIC_INFO, '/openapi', '/openapi/*'].sort(),
          verbs: ['get']
        }
      ]),
      clusterRole('system:public-info-viewer', [{ nonResourceURLs: PUBLIC_INFO, verbs: ['get'] }]),
      clusterRole('system:basic-user', [
        {
          apiGroups: ['authorization.k8s.io'],
          resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
          verbs: ['create']
        },
        { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] }
      ])
    ],
    clusterRoleBindings: [
      bindGroups('cluster-admin', 'cluster-admin', [SYSTEM_MASTERS]),
      bindGroups('system:discovery', 'system:discovery', [ALL_AUTHENTICATED]),
      bindGroups('system:public-info-viewer', 'system:public-info-viewer', [ALL_AUTHENTICATED, ALL_UNAUTHENTICATED]),
      bindGroups('system:basic-user', 'system:basic-user', [ALL_AUTHENTICATED])
    ]
  };
}
