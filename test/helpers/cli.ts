import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type MainDeps } from '../../cli/main.js';
import type { Io } from '../../cli/io.js';

/*
 * Running the `cortex` CLI in tests: in process (fast, output captured) or as a real process through bin/cortex.js.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CORTEX_BIN = path.join(root, 'bin', 'cortex.js');

export interface CliRun {
  code: number;
  stdout: string[];
  stderr: string[];
}

/** Runs one command line in this process, capturing what it prints. */
export async function runCli(argv: string[], deps: Omit<MainDeps, 'io'> = {}): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Io = { out: (l) => void stdout.push(...l.split('\n')), err: (l) => void stderr.push(...l.split('\n')) };
  const code = await main(argv, { ...deps, io });
  return { code, stdout, stderr };
}

/** A JSONL file of these events (or raw lines) in a fresh temporary directory. */
export function jsonlFile(lines: Array<object | string>, name = 'events.jsonl'): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cortex-cli-')), name);
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
}

export interface CliProcess {
  stdout: string[];
  stderr: string[];
  /** Resolves once a stdout or stderr line matches. */
  waitFor(stream: 'stdout' | 'stderr', match: (line: string) => boolean, safetyMs?: number): Promise<string>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts `node bin/cortex.js …` as a real process, with the given environment on top of this one's. */
export function spawnCli(argv: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [CORTEX_BIN, ...argv], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const waiters: Array<{ stream: 'stdout' | 'stderr'; match: (l: string) => boolean; resolve: (l: string) => void }> = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    let buf = '';
    child[stream].on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines[stream].push(line);
        for (const w of [...waiters]) {
          if (w.stream === stream && w.match(line)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    ...lines,
    exited,
    waitFor(stream, match, safetyMs = 60_000) {
      const seen = lines[stream].find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no matching ${stream} line; got:\n${lines[stream].join('\n')}\n--- stderr:\n${lines.stderr.join('\n')}`
              )
            ),
          safetyMs
        );
        waiters.push({ stream, match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      });
    },
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    }
  };
}

/** Runs `node bin/cortex.js …` to completion. */
export async function execCli(argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const p = spawnCli(argv, env);
  const code = await p.exited;
  return { code: code ?? -1, stdout: p.stdout, stderr: p.stderr };
}
