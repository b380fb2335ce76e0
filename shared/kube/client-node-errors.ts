import { AbortError, ApiException, FetchError } from '@kubernetes/client-node';
import {
  ConflictError,
  CortexError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  TransientError
} from '../runtime/errors.js';
import type { EvictionResult } from './port.js';

/*
 * What client-node's failures mean to Cortex: every ApiException, abort and network error becomes a CortexError with
 * retry meaning, and a PodDisruptionBudget's refusal of an eviction becomes a result.
 */

export type Op = 'read' | 'list' | 'write';

interface StatusBody {
  message?: unknown;
  details?: { causes?: Array<{ reason?: unknown; message?: unknown }>; retryAfterSeconds?: unknown };
}

/** The Status of an ApiException body (a JSON string), if it is one. */
function statusOf(err: ApiException<unknown>): StatusBody | undefined {
  const body = err.body;
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as StatusBody) : undefined;
  } catch {
    return undefined;
  }
}

/** The Status message of an ApiException body, if there is one. */
export function statusMessage(err: ApiException<unknown>): string | undefined {
  const message = statusOf(err)?.message;
  return typeof message === 'string' ? message : undefined;
}

/**
 * The refusal of an eviction by a PodDisruptionBudget: a 429 with a DisruptionBudget cause, or the 500 the API server
 * answers for a pod under several budgets. Other 429s (API priority and fairness) stay transient.
 */
export function evictionRefusal(err: unknown): EvictionResult | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const status = statusOf(err);
  const causes = (status?.details?.causes ?? []).filter((c) => c.reason === 'DisruptionBudget');
  if (err.code === 429 && causes.length > 0) {
    const retry = status?.details?.retryAfterSeconds;
    return {
      outcome: 'blocked',
      reason: causes.map((c) => String(c.message)).join('; '),
      ...(typeof retry === 'number' && retry > 0 ? { retryAfterSeconds: retry } : {})
    };
  }
  const message = statusMessage(err) ?? '';
  if (err.code === 500 && /more than one PodDisruptionBudget/.test(message)) return { outcome: 'blocked', reason: message };
  return undefined;
}

/**
 * Translates a client failure into a CortexError with retry meaning (or `undefined` for a 404 on a read).
 * Exported for tests of the mapping table.
 *
 * @example
 * mapKubeError(new ApiException(503, 'HTTP-Code: 503', '{}', {}), 'reading pod demo/p', 'read'); // TransientError
 */
export function mapKubeError(err: unknown, what: string, op: Op): CortexError | undefined {
  if (err instanceof CortexError) return err;
  if (err instanceof ApiException) {
    const code = err.code;
    const detail = statusMessage(err) ?? err.message.split('\n')[0];
    const message = `${what} failed: ${code} ${detail}`;
    const data = { status: code };
    if (code === 404) return op === 'write' ? new NotFoundError(message, { cause: err, data }) : undefined;
    if (code === 409) return new ConflictError(message, { cause: err, data });
    if (code === 403 || code === 401) return new ForbiddenError(message, { cause: err, data });
    if (code === 429 || code >= 500) return new TransientError(message, { cause: err, data });
    if (code === 400 || code === 422 || code === 415 || code === 405)
      return new InvalidRequestError(message, { cause: err, data });
    return new CortexError('kube_error', message, { cause: err, data });
  }
  if (err instanceof AbortError || (err instanceof Error && err.name === 'AbortError')) {
    return new TransientError(`${what} timed out`, { cause: err });
  }
  if (
    err instanceof FetchError ||
    (err instanceof Error && /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|socket hang up/.test(err.message))
  ) {
    return new TransientError(`${what} failed: cannot reach the Kubernetes API (${err.message})`, { cause: err });
  }
  return new CortexError('kube_error', `${what} failed: ${err instanceof Error ? err.message : String(err)}`, {
    cause: err
  });
}
