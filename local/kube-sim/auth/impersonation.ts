import { type IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../api-errors.js';
import { type Attributes, type Decision, forbidden } from './rbac.js';
import {
  ALL_AUTHENTICATED,
  ALL_UNAUTHENTICATED,
  ANONYMOUS,
  type UserInfo,
  serviceAccountGroups,
  serviceAccountUsername,
  splitServiceAccount
} from './user.js';

/*
 * The impersonation filter (apiserver endpoints/filters/impersonation.go): `Impersonate-User`, `-Group`, `-Uid` and
 * `-Extra-<key>` headers switch the request to another user, if the requester may `impersonate` each of them (users,
 * groups, serviceaccounts in their namespace, uids, userextras/<key>). kubectl --as and --as-group send these. A
 * ServiceAccount user gets its fixed groups; every impersonated non-anonymous user gets system:authenticated.
 */

interface Wanted {
  resource: 'users' | 'groups' | 'serviceaccounts' | 'uids' | 'userextras';
  name: string;
  namespace?: string;
  subresource?: string;
}

const EXTRA_PREFIX = 'impersonate-extra-';

function unescapeKey(k: string): string {
  try {
    return decodeURIComponent(k);
  } catch {
    return k;
  }
}

/** Whether the request asks to impersonate anyone. */
export const wantsImpersonation = (headers: IncomingHttpHeaders): boolean =>
  Object.keys(headers).some((h) => h.startsWith('impersonate-'));

/**
 * The user the request acts as after impersonation. Throws 403 (the requester may not impersonate one of them) or
 * 500 (groups, uid or extras without a user), as the API server does.
 */
export function impersonate(
  requester: UserInfo,
  headers: IncomingHttpHeaders,
  distinct: NodeJS.Dict<string[]>,
  authorize: (a: Attributes) => Decision
): UserInfo {
  const user = distinct['impersonate-user']?.[0] ?? '';
  const groups = distinct['impersonate-group'] ?? [];
  const uid = distinct['impersonate-uid']?.[0] ?? '';
  const extraHeaders = Object.keys(headers).filter((h) => h.startsWith(EXTRA_PREFIX));
  const wanted: Wanted[] = [];
  const sa = user ? splitServiceAccount(user) : undefined;
  if (sa) wanted.push({ resource: 'serviceaccounts', name: sa.name, namespace: sa.namespace });
  else if (user) wanted.push({ resource: 'users', name: user });
  for (const g of groups) wanted.push({ resource: 'groups', name: g });
  const extra: Record<string, string[]> = {};
  for (const h of extraHeaders) {
    const key = unescapeKey(h.slice(EXTRA_PREFIX.length));
    for (const value of distinct[h] ?? []) {
      (extra[key] ??= []).push(value);
      wanted.push({ resource: 'userextras', name: value, subresource: key });
    }
  }
  if (uid) wanted.push({ resource: 'uids', name: uid });
  if (!user && wanted.length > 0)
    throw new ApiError(500, 'InternalError', 'requested groups, uid or extras without impersonating a user');

  for (const w of wanted) {
    const a: Attributes = {
      user: requester,
      verb: 'impersonate',
      resourceRequest: true,
      namespace: w.namespace ?? '',
      apiGroup: w.resource === 'uids' || w.resource === 'userextras' ? 'authentication.k8s.io' : '',
      apiVersion: w.resource === 'uids' || w.resource === 'userextras' ? 'v1' : '',
      resource: w.resource,
      subresource: w.subresource ?? '',
      name: w.name,
      path: ''
    };
    const decision = authorize(a);
    if (!decision.allowed) throw forbidden(a, decision.reason);
  }

  const username = sa ? serviceAccountUsername(sa.namespace, sa.name) : user;
  const resultGroups = sa && groups.length === 0 ? serviceAccountGroups(sa.namespace) : [...groups];
  if (username !== ANONYMOUS) {
    if (!resultGroups.some((g) => g === ALL_AUTHENTICATED || g === ALL_UNAUTHENTICATED))
      resultGroups.push(ALL_AUTHENTICATED);
  } else if (!resultGroups.includes(ALL_UNAUTHENTICATED)) resultGroups.push(ALL_UNAUTHENTICATED);
  return {
    username,
    groups: resultGroups,
    ...(uid ? { uid } : {}),
    ...(Object.keys(extra).length ? { extra } : {})
  };
}
