// Makes sure the third-party binaries the end-to-end tests drive are present: kubectl in .cache/, chromium system-wide.
// Each dependency is one small function: check, and only if missing, fetch it from Debian's archive.
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

const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's chromium for the browser test (playwright-core downloads no browser). Unlike kubectl it is installed
 * system-wide: it pulls in many shared libraries, which only the package manager resolves. Needs root.
 */
function ensureChromium() {
  if (existsSync(CHROMIUM)) {
    console.log(`ensure-test-deps: chromium present (${CHROMIUM})`);
    return;
  }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(
      `chromium is missing (${CHROMIUM}) and this is not root, so it cannot be installed here: run \`sudo apt-get install -y chromium\` ` +
        '(the browser test in test/e2e/web needs it)'
    );
  }
  console.log('ensure-test-deps: chromium missing, installing Debian package chromium');
  ensureAptKnows('chromium');
  run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  });
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get install chromium finished but ${CHROMIUM} is still missing`);
  console.log(`ensure-test-deps: chromium ready at ${CHROMIUM}`);
}

const deps = [ensureKubectl, ensureKubernetesMcpServer, ensureChromium];

try {
  for (const ensure of deps) ensure();
} catch (err) {
  console.error(`ensure-test-deps: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
