/*
 * Every error the runtime translates to HTTP. The status is chosen for its Knative retry meaning
 * (knative/specs data-plane.md): 400 is never retried and goes to the dead-letter sink; 409, 429 and 5xx are retried.
 * A domain "no" (a policy denial, a workload not opted in) is an event, not one of these.
 */

import { CortexError, InvalidEventError, UnsupportedMediaTypeError, type CortexErrorOptions } from '../events/errors.js';

// The errors of reading an event live with the parser, on the ground floor; callers import every error from here.
export { CortexError, InvalidEventError, UnsupportedMediaTypeError, type CortexErrorOptions };

/** The body is larger than the configured limit: 413, not retried. */
export class PayloadTooLargeError extends CortexError {
  constructor(message: string, options: CortexErrorOptions = {}) {
    super('payload_too_large', message, options);
  }
}

/** Optimistic-concurrency conflict: 409, retried by Knative. */
export class ConflictError extends CortexError {
  constructor(message: string, options: CortexErrorOptions = {}) {
    super('conflict', message, options);
  }
}

/** The same event is being handled right now (a concurrent redelivery): 409, retried later. */
export class InProgressError extends CortexError {
  constructor(message: string, options: CortexErrorOptions = {}) {
    super('in_progress', message, options);
  }
}

/** A dependency is down or slow (kube 5xx/429, timeouts, sink unreachable): 503, retried with backoff. */
export class TransientError extends CortexError {
  constructor(message: string, options: CortexErrorOptions = {}, code = 'transient') {
    super(code, message, options);
  }
}

/**
 * A shared dependency is down (Redis): 503 like any TransientError. Its connection logs when it goes away and comes
 * back; the requests it fails meanwhile are not logged again one by one.
 */
export class UnavailableError extends TransientError {
  constructor(message: string, options: CortexErrorOptions = {}) {
    super(message, options, 'unavailable');
  }
}

/** Bad configuration: the process exits before it serves. */
export class ConfigError extends CortexError {
  constructor(message: string, options: CortexErrorOptions = {}) {
    super('config', message, options);
  }
}

/** A request that is not an event but is still wrong (bad JSON body on an HTTP route, bad token): 4xx as given. */
export class RequestError extends CortexError {
  readonly status: number;
  constructor(status: number, code: string, message: string, options: CortexErrorOptions = {}) {
    super(code, message, options);
    this.status = status;
  }
}

/**
 * The one translation from error to HTTP status. Anything unknown is a 500 (retried), never a client-fault code:
 * a raw `ApiException.code` from the Kubernetes client must not leak through here.
 *
 * @example
 * toHttpStatus(new TransientError('sink answered 502')); // → 503
 */
export function toHttpStatus(err: unknown): number {
  if (err instanceof RequestError) return err.status;
  if (err instanceof InvalidEventError) return 400;
  if (err instanceof PayloadTooLargeError) return 413;
  if (err instanceof UnsupportedMediaTypeError) return 415;
  if (err instanceof ConflictError || err instanceof InProgressError) return 409;
  if (err instanceof TransientError) return 503;
  return 500;
}

/** The JSON body of an error response: `{ error: { code, message, ...data } }`. */
export function toErrorBody(err: unknown): { error: Record<string, unknown> } {
  if (err instanceof CortexError) return { error: { code: err.code, message: err.message, ...err.data } };
  return { error: { code: 'internal', message: 'internal error' } };
}

/** The Kubernetes API refused us (403): our RBAC does not allow it. Checks and remediations turn it into an outcome. */
export class ForbiddenError extends CortexError {
  constructor(message: string, options: CortexErrorOptions = {}) {
    super('forbidden', message, options);
  }
}

/** The object to change does not exist (404 on a write). */
export class NotFoundError extends CortexError {
  constructor(message: string, options: CortexErrorOptions = {}) {
    super('not_found', message, options);
  }
}

/** The Kubernetes API rejected a write as invalid (400/422): a bug of ours, not worth a retry. */
export class InvalidRequestError extends CortexError {
  constructor(message: string, options: CortexErrorOptions = {}) {
    super('invalid_request', message, options);
  }
}
