/*
 * Who a request acts as (apiserver's user.Info), and the fixed names Kubernetes gives users and groups.
 */

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS = 'system:anonymous';
/** The group whose members every request is allowed to (the API server's privileged-groups authorizer). */
export const SYSTEM_MASTERS = 'system:masters';
/** The admin identity of a kind or kubeadm cluster's admin.conf. */
export const ADMIN_USER = 'kubernetes-admin';

export const anonymousUser = (): UserInfo => ({ username: ANONYMOUS, groups: [ALL_UNAUTHENTICATED] });

export const adminUser = (): UserInfo => ({ username: ADMIN_USER, groups: [SYSTEM_MASTERS, ALL_AUTHENTICATED] });

const SA_PREFIX = 'system:serviceaccount:';

/** `system:serviceaccount:<namespace>:<name>`. */
export const serviceAccountUsername = (namespace: string, name: string): string => `${SA_PREFIX}${namespace}:${name}`;

/** The groups every ServiceAccount of a namespace is in (serviceaccount.MakeGroupNames). */
export const serviceAccountGroups = (namespace: string): string[] => [
  'system:serviceaccounts',
  `system:serviceaccounts:${namespace}`
];

/** serviceaccount.SplitUsername: the namespace and name of a ServiceAccount username, or undefined. */
export function splitServiceAccount(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SA_PREFIX)) return undefined;
  const parts = username.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}
