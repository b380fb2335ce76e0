import { age } from './printers.js';
import { AGE, NAME, type Printer, col } from './table-printers.js';
import { type KubeObject, isRecord } from './types.js';

/*
 * The server-side columns of the policy kinds (kubernetes pkg/printers/internalversion): PodDisruptionBudgets,
 * ServiceAccounts and RBAC roles and bindings.
 */

const orNA = (v: unknown): string => (v === undefined || v === null ? 'N/A' : String(v));
const subjectsOf = (o: KubeObject, kind: string): string =>
  (Array.isArray(o['subjects']) ? (o['subjects'] as Array<{ kind?: string; name?: string; namespace?: string }>) : [])
    .filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : String(s.name)))
    .join(', ');
const roleRef = (o: KubeObject): string => {
  const ref = isRecord(o['roleRef']) ? o['roleRef'] : {};
  return `${String(ref['kind'])}/${String(ref['name'])}`;
};

const binding: Printer = {
  columns: [
    NAME,
    col('Role'),
    AGE,
    col('Users', 'string', 1),
    col('Groups', 'string', 1),
    col('ServiceAccounts', 'string', 1)
  ],
  cells: (o, now) => [
    o.metadata.name,
    roleRef(o),
    age(o.metadata.creationTimestamp, now),
    subjectsOf(o, 'User'),
    subjectsOf(o, 'Group'),
    subjectsOf(o, 'ServiceAccount')
  ]
};
const role: Printer = {
  columns: [NAME, col('Created At', 'date')],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp]
};

export const POLICY_PRINTERS: Record<string, Printer> = {
  PodDisruptionBudget: {
    columns: [NAME, col('Min Available'), col('Max Unavailable'), col('Allowed Disruptions', 'integer'), AGE],
    cells: (o, now) => [
      o.metadata.name,
      orNA(o.spec?.['minAvailable']),
      orNA(o.spec?.['maxUnavailable']),
      (o.status?.['disruptionsAllowed'] as number | undefined) ?? 0,
      age(o.metadata.creationTimestamp, now)
    ]
  },
  ServiceAccount: {
    columns: [NAME, col('Secrets', 'string'), AGE],
    cells: (o, now) => [
      o.metadata.name,
      Array.isArray(o['secrets']) ? o['secrets'].length : 0,
      age(o.metadata.creationTimestamp, now)
    ]
  },
  Role: role,
  ClusterRole: role,
  RoleBinding: binding,
  ClusterRoleBinding: binding
};
