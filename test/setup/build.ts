import { ensureBuilt } from '../../scripts/ensure-ready.mjs';

/*
 * Global setup of the projects that start real processes (integration, e2e): the functions, the local stack, the
 * simulator and the `cortex` command run as users run them, from the build (dist/), so it is rebuilt first when a
 * source is newer. Tests import the TypeScript sources directly; only spawned processes use the build.
 */
export default async function setup(): Promise<void> {
  await ensureBuilt();
}
