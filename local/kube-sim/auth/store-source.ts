import { resourceForKind } from '../resources.js';
import { type ObjectStore } from '../store.js';
import { type RbacSource } from './rbac.js';

/*
 * The RBAC objects as the authorizer reads them: straight from the store, uncopied (the store hands out copies
 * everywhere else; here a request would otherwise clone every binding).
 */

const ROLES = resourceForKind('Role');
const ROLE_BINDINGS = resourceForKind('RoleBinding');
const CLUSTER_ROLES = resourceForKind('ClusterRole');
const CLUSTER_ROLE_BINDINGS = resourceForKind('ClusterRoleBinding');

export function storeRbacSource(store: ObjectStore): RbacSource {
  return {
    clusterRoleBindings: () => store.peek(CLUSTER_ROLE_BINDINGS),
    roleBindings: (namespace) => store.peek(ROLE_BINDINGS, namespace),
    clusterRole: (name) => store.peekOne(CLUSTER_ROLES, undefined, name),
    role: (namespace, name) => store.peekOne(ROLES, namespace, name)
  };
}
