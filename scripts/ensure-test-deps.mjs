// Makes sure the third-party binaries the end-to-end tests drive are present in .cache/.
// Each dependency is one small function: check, and only if missing, fetch it from Debian's archive and unpack it.
// Idempotent: when everything is there it runs no command and finishes in milliseconds.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cache = path.join(root, '.cache');

let aptUpdated = false;

function run(cmd, args, opts = {}) {
  console.log(`ensure-test-deps: $ ${cmd} ${args.join(' ')}`);
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });
}

/** `apt-get update` only when apt does not know a candidate for the package yet (and at most once per run). */
function ensureAptKnows(pkg) {
  const policy = execFileSync('apt-cache', ['policy', pkg], { encoding: 'utf8' });
  const candidate = /Candidate:\s*(\S+)/.exec(policy)?.[1];
  if (candidate && candidate !== '(none)') return;
  if (aptUpdated) throw new Error(`apt has no candidate for ${pkg}`);
  run('apt-get', ['update']);
  aptUpdated = true;
}

/**
 * Downloads a Debian package into .cache/ and extracts it (no install: the machine's own tools stay untouched).
 * Returns the extraction directory.
 */
function downloadAndExtract(pkg, dir) {
  ensureAptKnows(pkg);
  mkdirSync(cache, { recursive: true });
  for (const f of readdirSync(cache)) if (f.startsWith(`${pkg}_`) && f.endsWith('.deb')) rmSync(path.join(cache, f));
  run('apt-get', ['download', pkg], { cwd: cache });
  const deb = readdirSync(cache).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${pkg} produced no .deb in ${cache}`);
  rmSync(dir, { recursive: true, force: true });
  run('dpkg-deb', ['-x', path.join(cache, deb), dir]);
  rmSync(path.join(cache, deb));
  return dir;
}

/** Debian's kubectl 1.20 (package kubernetes-client), never a kubectl already on the machine. */
function ensureKubectl() {
  const dir = path.join(cache, 'kubectl-1.20');
  const bin = path.join(dir, 'usr', 'bin', 'kubectl');
  if (existsSync(bin)) {
    console.log(`ensure-test-deps: kubectl 1.20 present (${path.relative(root, bin)})`);
    return;
  }
  console.log('ensure-test-deps: kubectl 1.20 missing, fetching Debian package kubernetes-client');
  downloadAndExtract('kubernetes-client', dir);
  if (!existsSync(bin)) throw new Error(`kubernetes-client did not contain usr/bin/kubectl (looked in ${dir})`);
  const version = run(bin, ['version', '--client', '--short']).trim();
  console.log(`ensure-test-deps: kubectl ready at ${path.relative(root, bin)} (${version})`);
}

const deps = [ensureKubectl];

try {
  for (const ensure of deps) ensure();
} catch (err) {
  console.error(`ensure-test-deps: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
