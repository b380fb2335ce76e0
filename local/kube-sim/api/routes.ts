import { type ResourceDef, findResource, groupVersions } from '../resources.js';

/*
 * The URL grammar of the API (reference kubernetes-api.md §4):
 *   /api/v1/{resource}[/{name}[/{sub}]]                         cluster-scoped, or every namespace
 *   /api/v1/namespaces/{ns}/{resource}[/{name}[/{sub}]]          namespaced
 *   /apis/{group}/{version}/...                                  the same for named groups
 */

export type Route =
  | { type: 'api-versions' }
  | { type: 'api-groups' }
  | { type: 'api-group'; group: string }
  | { type: 'resource-list'; group: string; version: string }
  | { type: 'resource'; def: ResourceDef; namespace?: string; name?: string; sub?: string }
  | { type: 'unknown' };

const knownGv = (group: string, version: string): boolean =>
  groupVersions().some((g) => g.group === group && g.version === version);

export function parseRoute(pathname: string): Route {
  const segs = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (segs[0] === 'api') {
    if (segs.length === 1) return { type: 'api-versions' };
    group = '';
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    if (segs.length === 1) return { type: 'api-groups' };
    group = segs[1]!;
    if (segs.length === 2)
      return groupVersions().some((g) => g.group === group) ? { type: 'api-group', group } : { type: 'unknown' };
    version = segs[2];
    rest = segs.slice(3);
  } else return { type: 'unknown' };
  if (!version || !knownGv(group, version)) return { type: 'unknown' };
  if (rest.length === 0) return { type: 'resource-list', group, version };
  const nsDef = findResource('', 'v1', 'namespaces');
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    group === '' &&
    (rest[2] === 'status' || rest[2] === 'finalize') &&
    rest.length === 3
  ) {
    return nsDef ? { type: 'resource', def: nsDef, name: rest[1], sub: rest[2] } : { type: 'unknown' };
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const def = findResource(group, version, rest[2]!);
    if (!def || !def.namespaced || rest.length > 5) return { type: 'unknown' };
    return { type: 'resource', def, namespace: rest[1], name: rest[3], sub: rest[4] };
  }
  const def = findResource(group, version, rest[0]!);
  if (!def || rest.length > 3) return { type: 'unknown' };
  // A namespaced type without a namespace segment only supports the all-namespaces collection.
  if (def.namespaced && rest.length > 1) return { type: 'unknown' };
  return { type: 'resource', def, name: rest[1], sub: rest[2] };
}
