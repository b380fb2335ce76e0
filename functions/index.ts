import type { Config } from '../shared/runtime/config.js';
import type { AnyFunctionDef } from '../shared/runtime/define-function.js';

/*
 * The registry (function name → lazy import) and what the image's process entry (functions/main.ts) serves. One
 * container image serves every function; CORTEX_FUNCTION picks which. Imports are lazy so a function loads only its own
 * dependencies. Nothing here reaches the local stack: what deploys never imports what only runs locally
 * (docs/architecture.md).
 */
type Loader = () => Promise<{ default: AnyFunctionDef }>;

export const registry = {
  chat: () => import('./chat/index.js'),
  'error-intake': () => import('./error-intake/index.js'),
  'healing-coordinator': () => import('./healing-coordinator/index.js'),
  'sse-relay': () => import('./sse-relay/index.js'),
  approvals: () => import('./approvals/index.js'),
  'explain-healing': () => import('./explain-healing/index.js'),
  'healing-history': () => import('./healing-history/index.js'),
  'check-pod-status': () => import('./check-pod-status/index.js'),
  'check-service-endpoints': () => import('./check-service-endpoints/index.js'),
  'check-pod-logs': () => import('./check-pod-logs/index.js'),
  'check-deployment-config': () => import('./check-deployment-config/index.js'),
  'check-resource-limits': () => import('./check-resource-limits/index.js'),
  'check-network-policies': () => import('./check-network-policies/index.js'),
  'check-failed-pods': () => import('./check-failed-pods/index.js'),
  'check-events': () => import('./check-events/index.js'),
  'check-dependencies': () => import('./check-dependencies/index.js'),
  'remediate-restart-pods': () => import('./remediate-restart-pods/index.js'),
  'remediate-scale-up': () => import('./remediate-scale-up/index.js'),
  'remediate-rollout-restart': () => import('./remediate-rollout-restart/index.js'),
  'remediate-cleanup-failed-pods': () => import('./remediate-cleanup-failed-pods/index.js'),
  'remediate-report-oom': () => import('./remediate-report-oom/index.js'),
  'remediate-report-image-pull': () => import('./remediate-report-image-pull/index.js'),
  'remediate-rollback': () => import('./remediate-rollback/index.js')
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

/**
 * Serves the one function CORTEX_FUNCTION names: what the image runs (functions/main.ts, built to
 * dist/functions/main.js; see the Procfile). The local stack, which serves every function at once, has its own entry
 * (`local/stack/main.ts`).
 *
 * @example
 * await serveConfigured(loadConfig()); // CORTEX_FUNCTION=error-intake
 */
export async function serveConfigured(config: Config): Promise<void> {
  if (config.function === undefined) {
    throw new Error(
      config.inCluster
        ? `CORTEX_FUNCTION is not set. Inside a cluster this image serves exactly one function: set CORTEX_FUNCTION to one of ${FUNCTION_NAMES.join(', ')}`
        : `CORTEX_FUNCTION is not set: name the function to serve (one of ${FUNCTION_NAMES.join(', ')}), or run the whole local stack with npm start`
    );
  }
  if (!isFunctionName(config.function)) {
    throw new Error(
      `CORTEX_FUNCTION="${config.function}" is not a Cortex function; choose one of: ${FUNCTION_NAMES.join(', ')}`
    );
  }
  const { serveProcess } = await import('../shared/runtime/process.js');
  await serveProcess(await loadFunction(config.function), { config });
}
