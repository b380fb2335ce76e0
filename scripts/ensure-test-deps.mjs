// Makes sure the third-party binaries the end-to-end tests drive are present: kubectl in .cache/, chromium and
// redis-server system-wide. Each dependency is one small function: check, and only if missing, fetch it from Debian's
// archive. Idempotent: when everything is there it runs no command and finishes in milliseconds.
// `node scripts/ensure-test-deps.mjs redis-server` ensures only the named ones (`npm run start:scaled` does that).
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

const K8S_MCP_VERSION = '0.0.67';
/** Where kubernetes-mcp-server is installed; test/helpers/k8s-mcp.ts names the same path. */
const K8S_MCP_BIN = path.join(
  cache,
  `kubernetes-mcp-server-${K8S_MCP_VERSION}`,
  'node_modules',
  '.bin',
  'kubernetes-mcp-server'
);

/**
 * kubernetes-mcp-server from npm, a third-party MCP server the tests drive against the simulator. It is not in
 * package.json: its npm package lists a prebuilt binary per platform as optional dependencies, and a lock file can
 * only be written when the registry serves all of them (`npm ci` refuses a lock missing any). Installed here, only
 * this platform's binary is fetched.
 */
function ensureKubernetesMcpServer() {
  if (existsSync(K8S_MCP_BIN)) {
    console.log(`ensure-test-deps: kubernetes-mcp-server ${K8S_MCP_VERSION} present (${path.relative(root, K8S_MCP_BIN)})`);
    return;
  }
  const prefix = path.dirname(path.dirname(path.dirname(K8S_MCP_BIN)));
  mkdirSync(prefix, { recursive: true });
  run('npm', [
    'install',
    '--no-save',
    '--no-package-lock',
    '--no-audit',
    '--no-fund',
    '--prefix',
    prefix,
    `kubernetes-mcp-server@${K8S_MCP_VERSION}`
  ]);
  if (!existsSync(K8S_MCP_BIN)) throw new Error(`npm installed kubernetes-mcp-server but ${K8S_MCP_BIN} is missing`);
  console.log(`ensure-test-deps: kubernetes-mcp-server ready at ${path.relative(root, K8S_MCP_BIN)}`);
}

/**
 * A Debian package installed system-wide (it pulls in shared libraries or system users, which only the package
 * manager resolves). Needs root.
 */
function ensureSystemPackage(pkg, bin, why) {
  if (existsSync(bin)) {
    console.log(`ensure-test-deps: ${pkg} present (${bin})`);
    return;
  }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(
      `${pkg} is missing (${bin}) and this is not root, so it cannot be installed here: run \`sudo apt-get install -y ${pkg}\` (${why})`
    );
  }
  console.log(`ensure-test-deps: ${pkg} missing, installing Debian package ${pkg}`);
  ensureAptKnows(pkg);
  run('apt-get', ['install', '-y', '--no-install-recommends', pkg], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  });
  if (!existsSync(bin)) throw new Error(`apt-get install ${pkg} finished but ${bin} is still missing`);
  console.log(`ensure-test-deps: ${pkg} ready at ${bin}`);
}

/** Debian's chromium for the browser test (playwright-core downloads no browser). */
const ensureChromium = () =>
  ensureSystemPackage('chromium', '/usr/bin/chromium', 'the browser test in test/e2e/web needs it');

/**
 * Debian's redis-server 7.0 for the shared state (DESIGN §11): tests and `npm run start:scaled` start their own
 * server on a free port in a temp dir (local/redis/server.ts names the same path), never the system service.
 */
const ensureRedisServer = () =>
  ensureSystemPackage(
    'redis-server',
    '/usr/bin/redis-server',
    'the Redis stores, chaos tests and npm run start:scaled need it'
  );

const deps = {
  kubectl: ensureKubectl,
  'kubernetes-mcp-server': ensureKubernetesMcpServer,
  chromium: ensureChromium,
  'redis-server': ensureRedisServer
};

try {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !Object.hasOwn(deps, name));
  if (unknown.length > 0)
    throw new Error(`unknown dependency ${unknown.join(', ')}; known: ${Object.keys(deps).join(', ')}`);
  for (const [name, ensure] of Object.entries(deps)) if (wanted.length === 0 || wanted.includes(name)) ensure();
} catch (err) {
  console.error(`ensure-test-deps: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
