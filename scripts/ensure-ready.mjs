// What `npm start`, `npm test`, `npm run sim` and `npm run cortex` run first (their pre-scripts), so a fresh clone needs
// no other command: `npm ci` when node_modules is missing or older than package-lock.json, then the build
// (scripts/build.mjs) when a source is newer than it. Plain Node with no dependency: it runs before there are any.
// It never installs or builds inside an image (CORTEX_FUNCTION set, or NODE_ENV=production), where the image's own
// build did both; there it only says what is missing. ensureBuilt() (bin/cortex.js, the tests' global setup) only
// builds.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { STAMP } from './build.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What the build reads: the sources, and what decides how they are bundled (the packages are bundled too). */
const SOURCE_DIRS = ['functions', 'shared', 'local', 'cli'];
const BUILD_INPUTS = [
  'package.json',
  'package-lock.json',
  'node_modules/.package-lock.json',
  'tsconfig.json',
  'scripts/build.mjs'
];
/** Written by every npm install or ci, after package-lock.json. */
const INSTALLED = 'node_modules/.package-lock.json';
/** Written by scripts/build.mjs with the time its build started. */
const BUILT = `dist/${STAMP}`;

const mtimeOf = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;

/**
 * The most recently modified of the build's inputs, as [path relative to root, mtime]: files, and directories (deleting
 * or renaming a file changes its directory).
 */
function newestInput(root) {
  let newest = ['', 0];
  const consider = (full) => {
    const mtime = mtimeOf(full) ?? 0;
    if (mtime > newest[1]) newest = [path.relative(root, full), mtime];
  };
  const visit = (dir) => {
    consider(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith('.ts')) consider(full);
    }
  };
  for (const dir of SOURCE_DIRS) visit(path.join(root, dir));
  for (const file of BUILD_INPUTS) consider(path.join(root, file));
  return newest;
}

/**
 * What to do before a command runs, and why: `install` when node_modules is missing or older than the lock file,
 * `build` when there is no build or one of its inputs is newer than it; `image` when the environment is an image's,
 * where neither may happen.
 *
 * @example
 * plan(root, process.env) // → { image: false, install: false, build: true, reasons: ['functions/chat/turn.ts is newer than the build'] }
 */
export function plan(root, env) {
  const reasons = [];
  const installed = mtimeOf(path.join(root, INSTALLED));
  const install = installed === undefined || installed < (mtimeOf(path.join(root, 'package-lock.json')) ?? 0);
  if (install)
    reasons.push(installed === undefined ? 'node_modules is missing' : 'node_modules is older than package-lock.json');
  const built = mtimeOf(path.join(root, BUILT));
  const [newest, mtime] = built === undefined ? ['', 0] : newestInput(root);
  const build = built === undefined || mtime > built;
  if (build) reasons.push(built === undefined ? 'there is no build (dist/)' : `${newest} is newer than the build (dist/)`);
  const image = Boolean(env.CORTEX_FUNCTION) || env.NODE_ENV === 'production';
  return { image, install, build, reasons };
}

/** npm, as the npm that runs this script when there is one (npm_execpath), so the same npm installs. */
function npm(args, env) {
  const [cmd, pre] = env.npm_execpath ? [process.execPath, [env.npm_execpath]] : ['npm', []];
  const run = spawnSync(cmd, [...pre, ...args], {
    cwd: ROOT,
    stdio: 'inherit',
    shell: !env.npm_execpath && process.platform === 'win32'
  });
  if (run.status !== 0) throw new Error(`npm ${args.join(' ')} failed (exit ${run.status ?? run.signal})`);
}

async function build(reason) {
  const { build: buildAll } = await import('./build.mjs');
  const t0 = performance.now();
  await buildAll();
  console.error(`ensure-ready: ${reason}: built dist/ in ${Math.round(performance.now() - t0)} ms`);
}

/** Builds when the build is missing or older than a source (the tests' global setup, bin/cortex.js); never installs. */
export async function ensureBuilt() {
  const todo = plan(ROOT, {});
  if (todo.build) await build(todo.reasons.at(-1));
}

async function main(env) {
  const todo = plan(ROOT, env);
  if (todo.image) {
    // An image runs node on its build directly; this only helps someone who set CORTEX_FUNCTION on a laptop.
    if (todo.install || todo.build)
      console.error(
        `ensure-ready: ${todo.reasons.join('; ')}; but CORTEX_FUNCTION or NODE_ENV=production says this is an image, ` +
          `so nothing is installed or built here: run ${todo.install ? '`npm ci` and ' : ''}\`npm run build\` first`
      );
    return;
  }
  if (todo.install) {
    console.error(`ensure-ready: ${todo.reasons[0]}: npm ci`);
    npm(['ci', '--engine-strict=true', '--no-audit', '--no-fund'], env);
  }
  // A fresh install changes what the build bundles, so it is followed by a build.
  if (todo.install || todo.build) await build(todo.install ? 'the dependencies were installed' : todo.reasons.at(-1));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.env).catch((err) => {
    console.error(`ensure-ready: ${err.message}`);
    process.exitCode = 1;
  });
}
