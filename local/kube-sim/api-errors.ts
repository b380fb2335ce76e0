import { type ResourceDef } from './resources.js';

/*
 * The API server's error answers: a `Status` object whose reason and message match what kubectl, client-go and
 * client-node print (reference kubernetes-api.md §7).
 */

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusObject {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** Thrown anywhere in request handling; the router turns it into the Status answer. */
export class ApiError extends Error {
  readonly status: StatusObject;
  constructor(code: number, reason: string, message: string, details?: StatusObject['details']) {
    super(message);
    this.name = 'ApiError';
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code
    };
  }
  get code(): number {
    return this.status.code;
  }
}

const display = (def: ResourceDef): string => (def.group ? `${def.plural}.${def.group}` : def.plural);

export const notFound = (def: ResourceDef, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${display(def)} "${name}" not found`, { name, group: def.group, kind: def.plural });

export const alreadyExists = (def: ResourceDef, name: string): ApiError =>
  new ApiError(409, 'AlreadyExists', `${display(def)} "${name}" already exists`, {
    name,
    group: def.group,
    kind: def.plural
  });

export const conflict = (def: ResourceDef, name: string): ApiError =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${display(def)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: def.group, kind: def.plural }
  );

/** One field error, as apimachinery's field.Error renders it (`spec.replicas: Invalid value: -1: must be ...`). */
export interface FieldCause {
  field: string;
  value?: unknown;
  detail: string;
  reason?:
    'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueForbidden' | 'FieldValueNotSupported' | 'FieldValueTooLong';
  /** The supported values of a FieldValueNotSupported error. */
  supported?: string[];
}

const TYPE_TEXT: Record<NonNullable<FieldCause['reason']>, string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueForbidden: 'Forbidden',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueTooLong: 'Too long'
};

/** The error body without the field: `Invalid value: -1: must be greater than or equal to 0`. */
function fieldErrorBody(c: FieldCause): string {
  const reason = c.reason ?? 'FieldValueInvalid';
  const withValue = reason === 'FieldValueInvalid' || reason === 'FieldValueNotSupported';
  let s = withValue ? `${TYPE_TEXT[reason]}: ${formatValue(c.value)}` : TYPE_TEXT[reason];
  const detail =
    reason === 'FieldValueNotSupported'
      ? `supported values: ${(c.supported ?? []).map((v) => JSON.stringify(v)).join(', ')}`
      : c.detail;
  if (detail) s += `: ${detail}`;
  return s;
}

/**
 * 422 with one cause per invalid field, worded like the API server:
 * `Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
 */
export function invalid(kind: string, group: string, name: string, causes: FieldCause[]): ApiError {
  const bodies = causes.map(fieldErrorBody);
  const parts = causes.map((c, i) => `${c.field}: ${bodies[i]}`);
  const what = group ? `${kind}.${group}` : kind;
  const message = `${what} "${name}" is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`}`;
  return new ApiError(422, 'Invalid', message, {
    name,
    group,
    kind,
    causes: causes.map((c, i) => ({ reason: c.reason ?? 'FieldValueInvalid', message: bodies[i]!, field: c.field }))
  });
}

/** Values as Go's field errors print them: strings quoted, numbers bare, string lists as `[]string{"a"}`. */
function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined || v === null) return 'null';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string'))
    return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);

export const methodNotAllowed = (): ApiError =>
  new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

export const unknownResource = (): ApiError =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

export const unsupportedMediaType = (accepted: string[]): ApiError =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    {}
  );

export const expired = (requested: number, oldest: number): ApiError =>
  new ApiError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);

export const internalError = (message: string): ApiError =>
  new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);

/** 401 for a credential the server does not accept (kubectl: "You must be logged in to the server (Unauthorized)"). */
export const unauthorized = (): ApiError => new ApiError(401, 'Unauthorized', 'Unauthorized');

/** Avoids messages that look like HTML, as the API server's response writers do. */
const sanitize = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * apimachinery's NewForbidden: `pods "p" is forbidden: <why>` for a named object, `pods is forbidden: <why>` for a
 * collection, `forbidden: <why>` when no resource is involved; details carry the group, resource and name.
 */
export function forbiddenError(resource: { group: string; resource: string }, name: string, why: string): ApiError {
  const qualified = resource.group ? `${resource.resource}.${resource.group}` : resource.resource;
  const message = !qualified
    ? `forbidden: ${sanitize(why)}`
    : name
      ? `${qualified} "${name}" is forbidden: ${sanitize(why)}`
      : `${qualified} is forbidden: ${sanitize(why)}`;
  const details = {
    ...(name ? { name } : {}),
    ...(resource.group ? { group: resource.group } : {}),
    ...(resource.resource ? { kind: resource.resource } : {})
  };
  return new ApiError(403, 'Forbidden', message, details);
}

/** 429 TooManyRequests with optional causes and Retry-After seconds. */
export function tooManyRequests(message: string, retryAfterSeconds: number, causes: StatusCause[] = []): ApiError {
  return new ApiError(429, 'TooManyRequests', message, {
    ...(causes.length ? { causes } : {}),
    ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {})
  });
}

/** 504 Timeout: the watch cache never reached a resourceVersion from the future. */
export const tooLargeResourceVersion = (requested: number, current: number): ApiError =>
  new ApiError(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1
  });

/** A Status for a successful delete of a non-pod object. */
export function successStatus(def: ResourceDef, name: string, uid: string): StatusObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name, group: def.group, kind: def.plural, uid },
    code: 200
  };
}
