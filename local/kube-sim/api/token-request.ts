import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type FieldCause, badRequest, invalid, notFound } from '../api-errors.js';
import { type TokenRequestSpec } from '../auth/authenticate.js';
import { resourceForKind } from '../resources.js';
import { isRecord } from '../types.js';
import { type ApiContext } from './context.js';
import { parseJson, readBody, requireMethod, sendJson } from './http-util.js';

/*
 * POST serviceaccounts/{name}/token (TokenRequest, what `kubectl create token` and the kubelet use): a bound token
 * for the ServiceAccount, valid for `expirationSeconds` (default one hour, at least ten minutes).
 */

const SERVICE_ACCOUNTS = resourceForKind('ServiceAccount');
const MIN_SECONDS = 600;
const MAX_SECONDS = 2 ** 32;

export async function serveTokenRequest(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  namespace: string | undefined,
  name: string
): Promise<void> {
  requireMethod(req, 'POST');
  const body = parseJson(await readBody(req));
  if (!isRecord(body)) throw badRequest('the body of the request must be a TokenRequest object');
  const sa = ctx.store.get(SERVICE_ACCOUNTS, namespace, name);
  if (!sa) throw notFound(SERVICE_ACCOUNTS, name);
  const spec = (isRecord(body['spec']) ? body['spec'] : {}) as TokenRequestSpec;
  const expirationSeconds = spec.expirationSeconds ?? 3600;
  const causes: FieldCause[] = [];
  if (!Number.isInteger(expirationSeconds) || expirationSeconds < MIN_SECONDS)
    causes.push({
      field: 'spec.expirationSeconds',
      value: expirationSeconds,
      detail: 'may not specify a duration less than 10 minutes'
    });
  else if (expirationSeconds > MAX_SECONDS)
    causes.push({
      field: 'spec.expirationSeconds',
      value: expirationSeconds,
      detail: 'may not specify a duration larger than 2^32 seconds'
    });
  if (spec.audiences !== undefined && !(Array.isArray(spec.audiences) && spec.audiences.every((a) => typeof a === 'string')))
    causes.push({ field: 'spec.audiences', value: spec.audiences, detail: 'must be a list of strings' });
  if (causes.length) throw invalid('TokenRequest', 'authentication.k8s.io', '', causes);
  const issued = await ctx.auth.issue(sa, { ...spec, expirationSeconds });
  sendJson(res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null },
    spec: { audiences: issued.audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
    status: { token: issued.token, expirationTimestamp: issued.expirationTimestamp }
  });
}
