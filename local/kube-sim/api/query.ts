import { badRequest, type FieldCause, invalid } from '../api-errors.js';

/*
 * Query parameters decoded the way the API server decodes them (apimachinery runtime/conversion.go and
 * apis/meta/v1/validation): the first value counts; a boolean is false only when absent, "0" or "false" in any case
 * ("True", "1", "yes" and even an empty value are true); an integer is Go's strconv.ParseInt, and a malformed one is a
 * 400 with Go's wording; option structs are validated into 422 errors on `<Kind>Options.meta.k8s.io ""`.
 */

/** Convert_Slice_string_To_bool. */
export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.getAll(name);
  if (v.length === 0) return false;
  return !(v[0] === '0' || v[0]!.toLowerCase() === 'false');
}

/** Convert_Slice_string_To_Pointer_bool: undefined when absent. */
export const optionalBool = (q: URLSearchParams, name: string): boolean | undefined =>
  q.has(name) ? boolParam(q, name) : undefined;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64), with its error text. */
export function parseInt64(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n < INT64_MIN || n > INT64_MAX) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return Number(n);
}

/** Convert_Slice_string_To_Pointer_int64: undefined when absent; `limit=` is a 400 like any other bad number. */
export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.getAll(name);
  return v.length === 0 ? undefined : parseInt64(v[0]!);
}

/** The first value, or undefined. */
export const stringParam = (q: URLSearchParams, name: string): string | undefined => q.getAll(name)[0];

const optionsError = (kind: string, causes: FieldCause[]): void => {
  if (causes.length > 0) throw invalid(`${kind}Options`, 'meta.k8s.io', '', causes);
};

/** ValidateDryRun: every value must be `All`. */
function dryRunCauses(values: string[]): FieldCause[] {
  return values.every((v) => v === 'All')
    ? []
    : [{ field: 'dryRun', value: values, detail: '', reason: 'FieldValueNotSupported', supported: ['All'] }];
}

/** ValidateFieldManager and ValidateFieldValidation. */
function writeCauses(q: URLSearchParams): FieldCause[] {
  const causes: FieldCause[] = [];
  const manager = stringParam(q, 'fieldManager') ?? '';
  if (manager.length > 128)
    causes.push({ field: 'fieldManager', detail: 'may not be more than 128 bytes', reason: 'FieldValueTooLong' });
  const unprintable = [...manager].findIndex((ch) => /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(ch));
  if (unprintable >= 0)
    causes.push({ field: 'fieldManager', value: manager, detail: `invalid character at position ${unprintable}` });
  const validation = stringParam(q, 'fieldValidation') ?? '';
  if (!['', 'Ignore', 'Strict', 'Warn'].includes(validation))
    causes.push({
      field: 'fieldValidation',
      value: validation,
      detail: '',
      reason: 'FieldValueNotSupported',
      supported: ['', 'Ignore', 'Strict', 'Warn']
    });
  return [...causes, ...dryRunCauses(q.getAll('dryRun'))];
}

/** CreateOptions / UpdateOptions of a write; returns whether it is a dry run. */
export function writeOptions(q: URLSearchParams, kind: 'Create' | 'Update'): { dryRun: boolean } {
  optionsError(kind, writeCauses(q));
  return { dryRun: q.getAll('dryRun').includes('All') };
}

/** PatchOptions: `force` only for server-side apply, which requires a fieldManager. */
export function patchOptions(q: URLSearchParams, contentType: string): { dryRun: boolean } {
  const causes = writeCauses(q);
  if (contentType === 'application/apply-patch+yaml') {
    if (!stringParam(q, 'fieldManager'))
      causes.unshift({ field: 'fieldManager', detail: 'is required for apply patch', reason: 'FieldValueRequired' });
  } else if (q.has('force')) {
    causes.unshift({ field: 'force', detail: 'may not be specified for non-apply patch', reason: 'FieldValueForbidden' });
  }
  optionsError('Patch', causes);
  return { dryRun: q.getAll('dryRun').includes('All') };
}

export interface DeleteQuery {
  dryRun: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
}

/** DeleteOptions from the query (the body may add to them): ValidateDeleteOptions. */
export function deleteQuery(q: URLSearchParams): DeleteQuery {
  const propagationPolicy = stringParam(q, 'propagationPolicy');
  const orphanDependents = optionalBool(q, 'orphanDependents');
  const causes = dryRunCauses(q.getAll('dryRun'));
  validateDeletePolicy(propagationPolicy, orphanDependents, causes);
  optionsError('Delete', causes);
  return {
    dryRun: q.getAll('dryRun').includes('All'),
    gracePeriodSeconds: intParam(q, 'gracePeriodSeconds'),
    ...(propagationPolicy !== undefined ? { propagationPolicy } : {}),
    ...(orphanDependents !== undefined ? { orphanDependents } : {})
  };
}

/** The propagation rules of ValidateDeleteOptions (shared by the query and a DeleteOptions body). */
export function validateDeletePolicy(policy: string | undefined, orphan: boolean | undefined, causes: FieldCause[]): void {
  if (orphan !== undefined && policy !== undefined)
    causes.push({
      field: 'propagationPolicy',
      value: policy,
      detail: 'orphanDependents and deletionPropagation cannot be both set'
    });
  if (policy !== undefined && !['Foreground', 'Background', 'Orphan'].includes(policy))
    causes.push({
      field: 'propagationPolicy',
      value: policy,
      detail: '',
      reason: 'FieldValueNotSupported',
      supported: ['Foreground', 'Background', 'Orphan', 'nil']
    });
}

export function throwDeleteOptionsErrors(causes: FieldCause[]): void {
  optionsError('Delete', causes);
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  watch: boolean;
  allowWatchBookmarks: boolean;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  timeoutSeconds?: number;
  limit?: number;
  continue?: string;
  sendInitialEvents?: boolean;
}

/** ListOptions of a list or watch, validated like ValidateListOptions (WatchList off, as in 1.30). */
export function listQuery(q: URLSearchParams): ListQuery {
  const o: ListQuery = {
    labelSelector: stringParam(q, 'labelSelector'),
    fieldSelector: stringParam(q, 'fieldSelector'),
    watch: boolParam(q, 'watch'),
    allowWatchBookmarks: boolParam(q, 'allowWatchBookmarks'),
    resourceVersion: stringParam(q, 'resourceVersion'),
    resourceVersionMatch: stringParam(q, 'resourceVersionMatch'),
    timeoutSeconds: intParam(q, 'timeoutSeconds'),
    limit: intParam(q, 'limit'),
    continue: stringParam(q, 'continue'),
    sendInitialEvents: optionalBool(q, 'sendInitialEvents')
  };
  optionsError('List', o.watch ? watchCauses(o) : listCauses(o));
  return o;
}

const forbidden = (field: string, detail: string): FieldCause => ({ field, detail, reason: 'FieldValueForbidden' });

function listCauses(o: ListQuery): FieldCause[] {
  const causes: FieldCause[] = [];
  const match = o.resourceVersionMatch;
  if (match) {
    if (!o.resourceVersion)
      causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (o.continue)
      causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan')
      causes.push({
        field: 'resourceVersionMatch',
        value: match,
        detail: '',
        reason: 'FieldValueNotSupported',
        supported: ['Exact', 'NotOlderThan', '']
      });
    if (match === 'Exact' && o.resourceVersion === '0')
      causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (o.sendInitialEvents !== undefined)
    causes.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return causes;
}

function watchCauses(o: ListQuery): FieldCause[] {
  const causes: FieldCause[] = [];
  const match = o.resourceVersionMatch;
  if (o.sendInitialEvents !== undefined) {
    if (match !== 'NotOlderThan')
      causes.push(
        forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan')
      );
    causes.push(
      forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled')
    );
  }
  if (match) {
    if (o.sendInitialEvents === undefined)
      causes.push(
        forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided')
      );
    if (match !== 'NotOlderThan')
      causes.push({
        field: 'resourceVersionMatch',
        value: match,
        detail: '',
        reason: 'FieldValueNotSupported',
        supported: ['NotOlderThan']
      });
    if (o.continue)
      causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
  }
  return causes;
}

/** A resourceVersion parameter as a number; anything else is a 400 like the API server's versioner says. */
export function parseResourceVersion(rv: string): number {
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  return Number(rv);
}
