import { pathToFileURL } from 'node:url';
import type { AnyFunctionDef } from '../shared/runtime/define-function.js';

/*
 * The registry (function name → lazy import) and the process entry. One container image serves every function;
 * CORTEX_FUNCTION picks which. Imports are lazy so a function loads only its own dependencies.
 */
type Loader = () => Promise<{ default: AnyFunctionDef }>;

export const registry = {
  chat: () => import('./chat/index.js'),
  'error-intake': () => import('./error-intake/index.js'),
  'healing-coordinator': () => import('./healing-coordinator/index.js'),
  'sse-relay': () => import('./sse-relay/index.js'),
  'check-pod-status': () => import('./check-pod-status/index.js'),
  'check-service-endpoints': () => import('./check-service-endpoints/index.js'),
  'check-pod-logs': () => import('./check-pod-logs/index.js'),
  'check-deployment-config': () => import('./check-deployment-config/index.js'),
  'check-resource-limits': () => import('./check-resource-limits/index.js'),
  'check-network-policies': () => import('./check-network-policies/index.js'),
  'check-failed-pods': () => import('./check-failed-pods/index.js'),
  'check-events': () => import('./check-events/index.js'),
  'remediate-restart-pods': () => import('./remediate-restart-pods/index.js'),
  'remediate-scale-up': () => import('./remediate-scale-up/index.js'),
  'remediate-rollout-restart': () => import('./remediate-rollout-restart/index.js'),
  'remediate-cleanup-failed-pods': () => import('./remediate-cleanup-failed-pods/index.js'),
  'remediate-report-oom': () => import('./remediate-report-oom/index.js'),
  'remediate-report-image-pull': () => import('./remediate-report-image-pull/index.js')
} as const satisfies Record<string, Loader>;

export type FunctionName = keyof typeof registry;
export const FUNCTION_NAMES = Object.keys(registry) as FunctionName[];

export const isFunctionName = (name: string): name is FunctionName => Object.hasOwn(registry, name);

/** Loads one definition by name. */
export async function loadFunction(name: FunctionName): Promise<AnyFunctionDef> {
  return (await registry[name]()).default;
}

/** Loads every definition, in registry order. */
export async function loadAll(): Promise<AnyFunctionDef[]> {
  return Promise.all(FUNCTION_NAMES.map(loadFunction));
}

async function main(): Promise<void> {
  const { loadConfig } = await import('../shared/runtime/config.js');
  const config = loadConfig();
  if (config.function !== undefined) {
    if (!isFunctionName(config.function)) {
      throw new Error(
        `CORTEX_FUNCTION="${config.function}" is not a Cortex function; choose one of: ${FUNCTION_NAMES.join(', ')}`
      );
    }
    const { serveProcess } = await import('../shared/runtime/process.js');
    await serveProcess(await loadFunction(config.function), { config });
    return;
  }
  if (config.inCluster) {
    throw new Error(
      `CORTEX_FUNCTION is not set. Inside a cluster this image serves exactly one function: set CORTEX_FUNCTION to one of ${FUNCTION_NAMES.join(', ')}`
    );
  }
  const { runLocalStack } = await import('../local/stack/main.js');
  await runLocalStack(config);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`cortex: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
