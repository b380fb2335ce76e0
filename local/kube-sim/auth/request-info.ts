import { type Attributes } from './rbac.js';
import { type UserInfo } from './user.js';

/*
 * apiserver's RequestInfoFactory: what a request does, from its method, path and query, before any routing (an
 * unknown resource is authorized like any other, so a user without rights gets 403, not 404). Paths with fewer than
 * three segments under /api, or four under /apis, are non-resource requests (discovery, /version, /healthz).
 */

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const VERB_OF_METHOD: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete'
};

/** path.IsValidPathSegmentName: a name that can stand in a URL segment. */
const validSegment = (name: string): boolean => name !== '.' && name !== '..' && !/[/%]/.test(name);

/** The name an exact `metadata.name=<x>` field selector pins a list or watch to (RBAC resourceNames apply). */
function nameFromFieldSelector(selector: string | null): string | undefined {
  if (!selector) return undefined;
  const terms = selector.split(',').map((t) => t.trim());
  const exact = terms.map((t) => /^metadata\.name(==?)(.*)$/.exec(t)).filter(Boolean);
  if (exact.length !== 1) return undefined;
  const name = exact[0]![2]!;
  return validSegment(name) ? name : undefined;
}

/** Convert_Slice_string_To_bool, as RequestInfoFactory applies it to `watch`. */
const isWatch = (q: URLSearchParams): boolean => {
  const v = q.getAll('watch');
  return v.length > 0 && !(v[0] === '0' || v[0]!.toLowerCase() === 'false');
};

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export function requestAttributes(method: string, path: string, q: URLSearchParams, user: UserInfo): Attributes {
  const base: Attributes = {
    user,
    verb: method.toLowerCase(),
    resourceRequest: false,
    namespace: '',
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    name: '',
    path
  };
  let parts = path.split('/').filter(Boolean).map(decode);
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return base;
  const a: Attributes = { ...base, resourceRequest: true, verb: VERB_OF_METHOD[method] ?? '' };
  if (parts[0] === 'apis') {
    if (parts.length < 4) return base;
    a.apiGroup = parts[1]!;
    parts = parts.slice(2);
  } else parts = parts.slice(1);
  a.apiVersion = parts[0]!;
  parts = parts.slice(1);
  if (parts[0] === 'watch' && parts.length >= 2) {
    a.verb = 'watch';
    parts = parts.slice(1);
  }
  if (parts[0] === 'namespaces' && parts.length > 1) {
    a.namespace = parts[1]!;
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
  }
  [a.resource = '', a.name = '', a.subresource = ''] = parts;
  if (!a.name && a.verb === 'get') {
    a.verb = isWatch(q) ? 'watch' : 'list';
    a.name = nameFromFieldSelector(q.get('fieldSelector')) ?? '';
  }
  if (!a.name && a.verb === 'delete') a.verb = 'deletecollection';
  return a;
}
