import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Runs Debian's kubectl 1.20 (fetched into .cache/ by scripts/ensure-test-deps.mjs; never a kubectl already on the
 * machine) against a kubeconfig. Each test run gets a fresh discovery cache directory.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const KUBECTL = path.join(root, '.cache', 'kubectl-1.20', 'usr', 'bin', 'kubectl');
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'kubectl-cache-'));

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

function binary(): string {
  if (!existsSync(KUBECTL))
    throw new Error(`kubectl 1.20 not found at ${KUBECTL}: run \`node scripts/ensure-test-deps.mjs\``);
  return KUBECTL;
}

const baseArgs = (kubeconfig: string): string[] => [`--kubeconfig=${kubeconfig}`, `--cache-dir=${cacheDir}`];

/** Runs one kubectl command; never rejects for a non-zero exit (the code is in the result). */
export function kubectl(kubeconfig: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    execFile(
      binary(),
      [...baseArgs(kubeconfig), ...args],
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`kubectl ${args.join(' ')} failed to run: ${err.message}\n${stderr}`));
          return;
        }
        resolve({ stdout, stderr, code: err ? (err.code as number) : 0 });
      }
    );
  });
}

/** Repeats a kubectl command until `check` accepts its result (polling; for state that converges). */
export async function kubectlUntil(
  kubeconfig: string,
  args: string[],
  check: (r: KubectlResult) => boolean,
  opts: { timeoutMs?: number; intervalMs?: number } = {}
): Promise<KubectlResult> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let last: KubectlResult | undefined;
  while (Date.now() < deadline) {
    last = await kubectl(kubeconfig, args);
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
  throw new Error(`kubectl ${args.join(' ')} never satisfied the check; last result:\n${last?.stdout}\n${last?.stderr}`);
}

export interface KubectlStream {
  /** Every stdout line so far. */
  lines: string[];
  /** Resolves with the first line (already seen or future) that matches. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Starts a long-running kubectl (e.g. `get pods -w`) and collects its output lines. */
export function kubectlStream(kubeconfig: string, args: string[]): KubectlStream {
  const child: ChildProcess = spawn(binary(), [...baseArgs(kubeconfig), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    lines,
    waitForLine(match, timeoutMs = 60_000) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching line from kubectl ${args.join(' ')}; got:\n${lines.join('\n')}`)),
          timeoutMs
        );
        waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    }
  };
}

/** The rows of a kubectl table output as objects keyed by upper-case header (`NAME`, `READY`, `STATUS`...). */
export function parseTable(stdout: string): Record<string, string>[] {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = lines[0]!;
  const starts: number[] = [];
  const re = /\S+(?: \S+)*/g;
  let m: RegExpExecArray | null;
  const names: string[] = [];
  while ((m = re.exec(header))) {
    starts.push(m.index);
    names.push(m[0]);
  }
  return lines
    .slice(1)
    .map((line) => Object.fromEntries(names.map((n, i) => [n, line.slice(starts[i], starts[i + 1] ?? line.length).trim()])));
}
