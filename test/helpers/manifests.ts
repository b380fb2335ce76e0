import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { KUBECTL } from './kubectl.js';

/** A Kubernetes object as YAML gives it: untyped, so tests can reach any field. */
export type K8sObject = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Manifest {
  file: string;
  object: K8sObject;
}

/** Every object in every YAML file under a directory (knative/ by default), with the file it came from. */
export function readManifests(dir = 'knative'): Manifest[] {
  const out: Manifest[] = [];
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    if (!/\.ya?ml$/.test(rel)) continue;
    for (const doc of parseAllDocuments(readFileSync(path.join(dir, rel), 'utf8'))) {
      const object = doc.toJS() as Record<string, unknown> | null;
      if (object && typeof object === 'object') out.push({ file: rel, object });
    }
  }
  return out;
}

/** `kubectl kustomize <dir>` with Debian's kubectl 1.20, with no cluster and no network to reach. */
export async function kustomize(dir: string): Promise<K8sObject[]> {
  const env = {
    ...process.env,
    KUBECONFIG: '/nonexistent/kubeconfig',
    HTTP_PROXY: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9'
  };
  const { stdout } = await promisify(execFile)(KUBECTL, ['kustomize', dir], { env, maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => Boolean(o));
}
