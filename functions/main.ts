import { loadConfig } from '../shared/runtime/config.js';
import { serveConfigured } from './index.js';

/*
 * The image's process entry (the Procfile's `web` process and every Knative Service run its build,
 * `node dist/functions/main.js`): serves the one function CORTEX_FUNCTION names. Nothing imports this file, so a
 * bundle keeps it as its own entry; the registry and serveConfigured live in functions/index.ts.
 */
try {
  await serveConfigured(loadConfig());
} catch (err) {
  process.stderr.write(`cortex: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
