/*
 * The errors of reading an event off the wire, with the base class every Cortex error extends. They live on the
 * ground floor (shared/events imports nothing else of shared/) so the parser can throw them; shared/runtime/errors.ts
 * re-exports them beside the rest and owns the one translation to HTTP status.
 */

export interface CortexErrorOptions {
  cause?: unknown;
  /** Extra facts for the JSON error body and the log line. */
  data?: Record<string, unknown>;
}

/**
 * Base class: a stable machine-readable `code`, a human message, an optional cause.
 *
 * @example
 * class QuotaError extends CortexError { constructor(m: string) { super('quota', m); } }
 */
export class CortexError extends Error {
  readonly code: string;
  readonly data: Record<string, unknown> | undefined;
  constructor(code: string, message: string, options: CortexErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.data = options.data;
  }
}

/** Malformed, schema-invalid or unknown-type event: 400, not retried. */
export class InvalidEventError extends CortexError {
  constructor(message: string, options: CortexErrorOptions = {}) {
    super('invalid_event', message, options);
  }
}

/** A content type we do not accept (e.g. a CloudEvents batch): 415, not retried. */
export class UnsupportedMediaTypeError extends CortexError {
  constructor(message: string, options: CortexErrorOptions = {}) {
    super('unsupported_media_type', message, options);
  }
}
