import { AbortError, ApiException, FetchError } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { mapKubeError } from '../../../../shared/kube/client-node.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  TransientError
} from '../../../../shared/runtime/errors.js';

const apiError = (code: number, message = 'boom'): ApiException<string> =>
  new ApiException(
    code,
    `HTTP-Code: ${code}\nMessage: Unknown API Status Code!`,
    JSON.stringify({ kind: 'Status', code, message }),
    {}
  );

describe('Kube adapter: error mapping', () => {
  it.each([
    [404, 'read', undefined],
    [404, 'list', undefined],
    [404, 'write', NotFoundError],
    [409, 'write', ConflictError],
    [403, 'read', ForbiddenError],
    [401, 'read', ForbiddenError],
    [400, 'write', InvalidRequestError],
    [422, 'write', InvalidRequestError],
    [429, 'read', TransientError],
    [500, 'write', TransientError],
    [503, 'list', TransientError],
    [504, 'read', TransientError]
  ] as const)('%d on %s', (code, op, expected) => {
    // Prepare
    const err = apiError(code, `deployments.apps "x" failed with ${code}`);

    // Act
    const mapped = mapKubeError(err, 'patching deployment demo/x', op);

    // Assess
    if (expected === undefined) expect(mapped).toBeUndefined();
    else {
      expect(mapped).toBeInstanceOf(expected);
      expect(mapped!.message).toBe(`patching deployment demo/x failed: ${code} deployments.apps "x" failed with ${code}`);
      expect(mapped!.cause).toBe(err);
      expect(mapped!.data).toEqual({ status: code });
    }
  });

  it('maps timeouts and connection failures to TransientError', () => {
    // Prepare
    const timeout = new AbortError('The operation was aborted.');
    const refused = new FetchError(
      'request to http://127.0.0.1:1/api failed, reason: connect ECONNREFUSED 127.0.0.1:1',
      'system'
    );

    // Act
    const a = mapKubeError(timeout, 'listing pods in demo', 'list');
    const b = mapKubeError(refused, 'listing pods in demo', 'list');

    // Assess
    expect(a).toBeInstanceOf(TransientError);
    expect(a!.message).toBe('listing pods in demo timed out');
    expect(b).toBeInstanceOf(TransientError);
    expect(b!.message).toContain('cannot reach the Kubernetes API');
  });
});
