#!/usr/bin/env node
// The `cortex` command (package.json "bin"): registers tsx so the TypeScript sources run as they are, then hands the
// command line to cli/main.ts. See `cortex help`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
