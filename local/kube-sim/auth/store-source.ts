import { resourceForKind } from '../resources.js';
import { type ObjectStore } from '../store.js';
import { type RbacSource } from './rbac.js';

/*
 * The RBAC objects as the authorizer reads them: straight from the store (its objects are frozen and shared, so a
 * request copies no binding).
 */

const ROLES = resourceForKind('Role');
const ROLE_BINDINGS = resourceForKind('RoleBinding');
const CLUSTER_ROLES = resourceForKind('ClusterRole');
const CLUSTER_ROLE_BINDINGS = resourceForKind('ClusterRoleBinding');

export function storeRbacSource(store: ObjectStore): RbacSource {
  return {
    clusterRoleBindings: () => store.list(CLUSTER_ROLE_BINDINGS),
    roleBindings: (namespace) => store.list(ROLE_BINDINGS, namespace),
    clusterRole: (name) => store.get(CLUSTER_ROLES, undefined, name),
    role: (namespace, name) => store.get(ROLES, namespace, name)
  };
}
