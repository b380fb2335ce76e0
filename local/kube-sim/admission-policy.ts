import { type FieldCause } from './api-errors.js';
import { type Budget } from './disruption.js';
import { type KubeObject, isRecord } from './types.js';

/*
 * Validation of the policy objects the simulator enforces: PodDisruptionBudgets (policy/v1 ValidatePodDisruptionBudget)
 * and RBAC roles and bindings (their names are path segments, not DNS names; roleRef and subjects must be usable).
 */

export const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/** path.IsValidPathSegmentName, the name rule of RBAC objects (`system:discovery` is a valid name). */
export const validPathSegmentName = (name: string): boolean => name !== '.' && name !== '..' && !/[/%]/.test(name);

function intOrPercent(field: string, v: unknown, causes: FieldCause[]): void {
  if (v === undefined) return;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) causes.push({ field, value: v, detail: 'must be greater than or equal to 0' });
    return;
  }
  const m = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
  if (!m)
    causes.push({
      field,
      value: v,
      detail:
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
    });
  else if (Number(m[1]) > 100) causes.push({ field, value: v, detail: 'must not be greater than 100%' });
}

export function validateBudget(b: Budget, causes: FieldCause[]): void {
  const spec = isRecord(b.spec) ? b.spec : {};
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined)
    causes.push({ field: 'spec', value: spec, detail: 'minAvailable and maxUnavailable cannot be both set' });
  intOrPercent('spec.minAvailable', spec.minAvailable, causes);
  intOrPercent('spec.maxUnavailable', spec.maxUnavailable, causes);
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && policy !== 'IfHealthyBudget' && policy !== 'AlwaysAllow')
    causes.push({
      field: 'spec.unhealthyPodEvictionPolicy',
      value: policy,
      detail: '',
      reason: 'FieldValueNotSupported',
      supported: ['AlwaysAllow', 'IfHealthyBudget']
    });
}

const SUBJECT_KINDS = ['User', 'Group', 'ServiceAccount'];

export function validateRbac(obj: KubeObject, causes: FieldCause[]): void {
  if (obj.kind === 'Role' || obj.kind === 'ClusterRole') {
    const rules = obj['rules'];
    if (rules !== undefined && !Array.isArray(rules))
      causes.push({ field: 'rules', value: rules, detail: 'must be a list' });
    (Array.isArray(rules) ? rules : []).forEach((r: unknown, i) => {
      if (!isRecord(r) || !Array.isArray(r['verbs']) || r['verbs'].length === 0)
        causes.push({
          field: `rules[${i}].verbs`,
          detail: 'verbs must contain at least one value',
          reason: 'FieldValueRequired'
        });
    });
    return;
  }
  const ref = isRecord(obj['roleRef']) ? obj['roleRef'] : {};
  const allowedKinds = obj.kind === 'RoleBinding' ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!allowedKinds.includes(String(ref['kind'])))
    causes.push({
      field: 'roleRef.kind',
      value: ref['kind'],
      detail: '',
      reason: 'FieldValueNotSupported',
      supported: allowedKinds
    });
  if (typeof ref['name'] !== 'string' || !ref['name'])
    causes.push({ field: 'roleRef.name', detail: '', reason: 'FieldValueRequired' });
  const subjects = Array.isArray(obj['subjects']) ? obj['subjects'] : [];
  subjects.forEach((s: unknown, i) => {
    const subject = isRecord(s) ? s : {};
    if (!SUBJECT_KINDS.includes(String(subject['kind'])))
      causes.push({
        field: `subjects[${i}].kind`,
        value: subject['kind'],
        detail: '',
        reason: 'FieldValueNotSupported',
        supported: SUBJECT_KINDS
      });
    if (typeof subject['name'] !== 'string' || !subject['name'])
      causes.push({ field: `subjects[${i}].name`, detail: '', reason: 'FieldValueRequired' });
    if (subject['kind'] === 'ServiceAccount' && obj.kind === 'ClusterRoleBinding' && !subject['namespace'])
      causes.push({ field: `subjects[${i}].namespace`, detail: '', reason: 'FieldValueRequired' });
  });
}

/** A binding's roleRef cannot change (ValidateRoleBindingUpdate). */
export function roleRefChanged(previous: KubeObject, next: KubeObject): boolean {
  const a = isRecord(previous['roleRef']) ? previous['roleRef'] : {};
  const b = isRecord(next['roleRef']) ? next['roleRef'] : {};
  return a['kind'] !== b['kind'] || a['name'] !== b['name'] || (a['apiGroup'] ?? '') !== (b['apiGroup'] ?? '');
}
