import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

/*
 * A kubeconfig every client accepts for the simulator: its https:// address with the self-signed serving certificate
 * as certificate authority (Go clients send tokens over TLS only), or, for a plain http:// address,
 * `insecure-skip-tls-verify: true` (client-node refuses http:// without it). The user holds a token: the admin's, a
 * ServiceAccount's, or none at all (the anonymous user).
 */

export interface KubeconfigServer {
  server: string;
  /** PEM of the serving certificate, for an https:// server. */
  ca?: string;
}

export function renderKubeconfig(
  target: string | KubeconfigServer,
  namespace = 'demo',
  token: string | null = null
): string {
  const { server, ca } = typeof target === 'string' ? { server: target, ca: undefined } : target;
  const cluster = ca
    ? { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') }
    : { server, 'insecure-skip-tls-verify': true };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kube-sim', cluster }],
    contexts: [{ name: 'kube-sim', context: { cluster: 'kube-sim', user: 'kube-sim', namespace } }],
    'current-context': 'kube-sim',
    preferences: {},
    users: [{ name: 'kube-sim', user: token ? { token } : {} }]
  });
}

/** Writes the kubeconfig (creating its directory) and returns its absolute path. */
export async function writeKubeconfig(
  file: string,
  server: string | KubeconfigServer,
  namespace?: string,
  token: string | null = null
): Promise<string> {
  const abs = path.resolve(file);
  await mkdir(path.dirname(abs), { recursive: true });
  await writeFile(abs, renderKubeconfig(server, namespace, token), { mode: 0o600 });
  return abs;
}
