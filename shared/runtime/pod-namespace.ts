import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

/*
 * Where a pod learns its namespace without a Serving feature flag: the ServiceAccount directory every pod with an
 * API token has, and which knative/ gives token-less functions through the downward API. It follows whatever
 * namespace the manifests were applied to (a kustomize overlay's `namespace:` included).
 */

/** The namespace file of the pod's ServiceAccount directory. */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/**
 * The namespace written in `file`, or undefined when there is no such file or it is empty (outside a cluster).
 * A file that exists but cannot be read is a ConfigError: guessing a namespace would act in the wrong one.
 *
 * @example
 * const namespace = readPodNamespace() ?? 'cortex';
 */
export function readPodNamespace(file = SERVICE_ACCOUNT_NAMESPACE_FILE): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read the pod's namespace from ${file}: ${(err as Error).message}`, { cause: err });
  }
}
