#!/usr/bin/env node
// The `cortex` command (package.json "bin"): runs the build of cli/main.ts (dist/cli/main.js). In a checkout it first
// rebuilds when a source is newer than the build (scripts/ensure-ready.mjs), so `npx cortex` never runs stale code.
// See `cortex help`.
import { ensureBuilt } from '../scripts/ensure-ready.mjs';

await ensureBuilt();
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
