import { type KubeObject, type LabelSelectorObject, type Labels, isRecord } from './types.js';

/*
 * Label and field selectors with the API server's grammar and semantics. `k!=v` and `k notin (...)` also match
 * objects without the label, as in Kubernetes.
 */

export type LabelRequirement =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] };

export type FieldRequirement = { field: string; op: '=' | '!='; value: string };

/** A selector the client sent that cannot be parsed or names an unsupported field (the API answers 400). */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim());
}

const KEY = /^([a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const VALUE = /^(([a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?)?)$/;

function checkKey(key: string, raw: string): string {
  if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${raw}"`);
  return key;
}
function checkValue(value: string, raw: string): string {
  if (!VALUE.test(value) || value.length > 63)
    throw new SelectorError(`unable to parse requirement: invalid label value "${value}" in "${raw}"`);
  return value;
}

/**
 * Parses `app=x,tier!=db,env in (a,b),!legacy`. An empty string selects everything.
 */
export function parseLabelSelector(selector: string | undefined): LabelRequirement[] {
  if (!selector || !selector.trim()) return [];
  return splitTopLevel(selector).map((raw): LabelRequirement => {
    if (raw === '') throw new SelectorError(`found '', expected: identifier in "${selector}"`);
    const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(raw);
    if (set) {
      const values = set[3]!.split(',').map((v) => checkValue(v.trim(), raw));
      return { key: checkKey(set[1]!, raw), op: set[2] as 'in' | 'notin', values };
    }
    const eq = /^([^!=\s]+)\s*(==|!=|=)\s*(.*)$/.exec(raw);
    if (eq) {
      return { key: checkKey(eq[1]!, raw), op: eq[2] === '!=' ? '!=' : '=', value: checkValue(eq[3]!.trim(), raw) };
    }
    if (raw.startsWith('!')) return { key: checkKey(raw.slice(1).trim(), raw), op: '!exists' };
    return { key: checkKey(raw, raw), op: 'exists' };
  });
}

export function matchesLabels(reqs: LabelRequirement[], labels: Labels | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && l[r.key] === r.value;
      case '!=':
        return !has || l[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(l[r.key]!);
      case 'notin':
        return !has || !r.values.includes(l[r.key]!);
    }
  });
}

/** A workload's `spec.selector` (matchLabels + matchExpressions) as requirements. */
export function requirementsFromSelector(sel: LabelSelectorObject | undefined): LabelRequirement[] {
  const reqs: LabelRequirement[] = Object.entries(sel?.matchLabels ?? {}).map(([key, value]) => ({
    key,
    op: '=' as const,
    value
  }));
  for (const e of sel?.matchExpressions ?? []) {
    if (e.operator === 'In') reqs.push({ key: e.key, op: 'in', values: e.values ?? [] });
    else if (e.operator === 'NotIn') reqs.push({ key: e.key, op: 'notin', values: e.values ?? [] });
    else if (e.operator === 'Exists') reqs.push({ key: e.key, op: 'exists' });
    else reqs.push({ key: e.key, op: '!exists' });
  }
  return reqs;
}

/** Prints requirements back in selector syntax (used for `Scale.status.selector`). */
export function formatLabelSelector(reqs: LabelRequirement[]): string {
  return reqs
    .map((r) => {
      if ('values' in r) return `${r.key} ${r.op} (${r.values.join(',')})`;
      if ('value' in r) return `${r.key}${r.op}${r.value}`;
      return r.op === 'exists' ? r.key : `!${r.key}`;
    })
    .join(',');
}

const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];
const FIELDS: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName'
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type'
  ],
  Namespace: ['status.phase'],
  Node: ['spec.unschedulable'],
  ReplicaSet: ['status.replicas']
};

/** Parses `metadata.name=x,status.phase!=Running` and checks each field is supported for the kind. */
export function parseFieldSelector(selector: string | undefined, kind: string): FieldRequirement[] {
  if (!selector || !selector.trim()) return [];
  const allowed = [...COMMON_FIELDS, ...(FIELDS[kind] ?? [])];
  return selector.split(',').map((raw) => {
    const m = /^\s*([^!=\s]+)\s*(==|!=|=)\s*(.*?)\s*$/.exec(raw);
    if (!m) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${raw}'`);
    const field = m[1]!;
    if (!allowed.includes(field)) throw new SelectorError(`field label not supported: ${field}`);
    return { field, op: m[2] === '!=' ? '!=' : '=', value: m[3]! };
  });
}

/** The value a field selector compares against: the field's string form, or '' when absent. */
export function fieldValue(obj: KubeObject, field: string): string {
  if (field === 'source' && obj.kind === 'Event') {
    const src = obj['source'];
    return isRecord(src) && typeof src['component'] === 'string' ? src['component'] : '';
  }
  let cur: unknown = obj;
  for (const part of field.split('.')) {
    if (!isRecord(cur)) return '';
    cur = cur[part];
  }
  if (cur === undefined || cur === null) return field === 'spec.unschedulable' ? 'false' : '';
  return String(cur);
}

export function matchesFields(reqs: FieldRequirement[], obj: KubeObject): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === '='));
}
