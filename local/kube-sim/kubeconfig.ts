import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

/*
 * A kubeconfig every client accepts for the plain-HTTP simulator: `insecure-skip-tls-verify: true` (client-node
 * refuses http:// without it; kubectl and the MCP server ignore it) and a token user (any bearer token is accepted).
 */

export function renderKubeconfig(server: string, namespace = 'demo'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kube-sim', cluster: { server, 'insecure-skip-tls-verify': true } }],
    contexts: [{ name: 'kube-sim', context: { cluster: 'kube-sim', user: 'kube-sim', namespace } }],
    'current-context': 'kube-sim',
    preferences: {},
    users: [{ name: 'kube-sim', user: { token: 'kube-sim-token' } }]
  });
}

/** Writes the kubeconfig (creating its directory) and returns its absolute path. */
export async function writeKubeconfig(file: string, server: string, namespace?: string): Promise<string> {
  const abs = path.resolve(file);
  await mkdir(path.dirname(abs), { recursive: true });
  await writeFile(abs, renderKubeconfig(server, namespace), { mode: 0o600 });
  return abs;
}
