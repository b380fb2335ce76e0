import { RESOURCES, groupVersion, groupVersions } from '../resources.js';

/*
 * Legacy discovery documents (APIVersions, APIGroupList, APIGroup, APIResourceList) as plain JSON. Clients that
 * prefer aggregated discovery fall back to these.
 */

export function apiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }]
  };
}

function apiGroup(group: string): Record<string, unknown> {
  const versions = groupVersions()
    .filter((g) => g.group === group)
    .map((g) => ({ groupVersion: groupVersion(g), version: g.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): unknown {
  const groups = [...new Set(groupVersions().map((g) => g.group))].filter((g) => g !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroup) };
}

export function apiGroupDoc(group: string): unknown {
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) };
}

export function apiResourceList(group: string, version: string): unknown {
  const resources: Record<string, unknown>[] = [];
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {})
    });
    for (const s of r.subresources ?? []) {
      resources.push({
        name: `${r.plural}/${s.name}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(s.group !== undefined ? { group: s.group, version: s.version } : {}),
        kind: s.kind,
        verbs: s.verbs
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources };
}

export function versionInfo(): unknown {
  return {
    major: '1',
    minor: '30',
    gitVersion: 'v1.30.0-sim',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.22.0',
    compiler: 'gc',
    platform: 'linux/amd64'
  };
}
