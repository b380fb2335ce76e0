// `npm run build`: compiles the TypeScript sources to dist/, what `npm start`, `npm run sim`, the `cortex` command and
// the image run with `node` (no tsx, no TypeScript at run time). One esbuild pass bundles the process entries with the
// packages they import and splits what they share into chunks (dist/chunks/), so a process reads a few large files
// instead of hundreds of small ones, and a function loads only the chunks its registry entry reaches.
// Why esbuild and a bundle (README "Build"): the same function starts in about half the time of the tsc output.
// Types are checked by `npm run typecheck` (tsc), not here.
import { renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The process entries, each built to dist/<same path>.js. */
export const ENTRIES = [
  'functions/main.ts', // the image: one function, named by CORTEX_FUNCTION (Procfile, knative/)
  'local/stack/main.ts', // npm start: the local stack
  'local/stack/replica.ts', // one replica of a function under CORTEX_REPLICAS (npm run start:scaled)
  'local/kube-sim/main.ts', // npm run sim: the cluster simulator alone
  'cli/main.ts' // bin/cortex.js: the cortex command
];

/** Written last, with the time the build started: scripts/ensure-ready.mjs rebuilds when a source is newer. */
export const STAMP = '.build-started';

// Packages written as CommonJS call require(); an ES module bundle has none, so each output file gets one.
const REQUIRE_SHIM =
  "import { createRequire as __cortexCreateRequire } from 'node:module';\n" +
  'const require = __cortexCreateRequire(import.meta.url);';

async function loadEsbuild() {
  try {
    return await import('esbuild');
  } catch (err) {
    throw new Error(
      'esbuild is not installed. It is a devDependency: the build needs them (`npm ci`, or `npm ci --include=dev` ' +
        'with NODE_ENV=production), the running image does not (`npm prune --omit=dev` after the build).',
      { cause: err }
    );
  }
}

const ignore = (codes, fn) => {
  try {
    fn();
  } catch (err) {
    if (!codes.includes(err.code)) throw err;
  }
};

/** Puts `fresh` where `outdir` is. When a concurrent build got there first, its equally fresh output stays. */
function replace(outdir, fresh) {
  const old = `${outdir}.old-${process.pid}`;
  ignore(['ENOENT'], () => renameSync(outdir, old));
  ignore(['ENOTEMPTY', 'EEXIST'], () => renameSync(fresh, outdir));
  rmSync(old, { recursive: true, force: true });
}

/**
 * Builds every entry into `outdir`. The build is written beside it and then put in its place, so a process starting
 * meanwhile, or a second build running at the same time (two test projects), never sees half of one.
 */
export async function build(outdir = path.join(root, 'dist')) {
  const started = new Date();
  const esbuild = await loadEsbuild();
  const fresh = `${outdir}.tmp-${process.pid}`;
  try {
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: ENTRIES,
      outdir: fresh,
      outbase: '.',
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      mainFields: ['module', 'main'],
      target: 'node20.19',
      minify: true,
      keepNames: true,
      legalComments: 'none',
      sourcemap: 'linked', // NODE_OPTIONS=--enable-source-maps turns stack traces back into the TypeScript sources' lines
      sourcesContent: false,
      banner: { js: REQUIRE_SHIM },
      logLevel: 'warning'
    });
    const stamp = path.join(fresh, STAMP);
    writeFileSync(stamp, `${started.toISOString()}\n`);
    utimesSync(stamp, started, started);
    replace(outdir, fresh);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
  return outdir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  build().then(
    (out) => console.log(`build: ${path.relative(root, out)}/ in ${Math.round(performance.now() - t0)} ms`),
    (err) => {
      console.error(`build: ${err.message}`);
      process.exitCode = 1;
    }
  );
}
