import { type ResourceDef } from './resources.js';

/*
 * The API server's error answers: a `Status` object whose reason and message match what kubectl, client-go and
 * client-node print (reference kubernetes-api.md §7).
 */

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export interface StatusObject {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
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

/** 422 with one cause per invalid field, e.g. `spec.replicas: Invalid value: -1: must be greater than or equal to 0`. */
export function invalid(
  kind: string,
  group: string,
  name: string,
  causes: { field: string; value?: unknown; detail: string; reason?: string }[]
): ApiError {
  const parts = causes.map((c) => {
    const reason = c.reason ?? 'FieldValueInvalid';
    if (reason === 'FieldValueRequired') return `${c.field}: Required value${c.detail ? `: ${c.detail}` : ''}`;
    return `${c.field}: Invalid value: ${formatValue(c.value)}: ${c.detail}`;
  });
  const what = group ? `${kind}.${group}` : kind;
  const message = `${what} "${name}" is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`}`;
  return new ApiError(422, 'Invalid', message, {
    name,
    group,
    kind,
    causes: causes.map((c, i) => ({
      reason: c.reason ?? 'FieldValueInvalid',
      message: parts[i]!.slice(c.field.length + 2),
      field: c.field
    }))
  });
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return `"${v}"`;
  if (v === undefined) return '""';
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
