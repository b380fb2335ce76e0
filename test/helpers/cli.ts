import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main, type MainDeps } from '../../cli/main.js';
import type { Io } from '../../cli/io.js';
import { ROOT, spawnProcess, type RunningProcess } from './process.js';

/*
 * Running the `cortex` CLI in tests: in process (fast, output captured) or as a real process through bin/cortex.js.
 */

export const CORTEX_BIN = path.join(ROOT, 'bin', 'cortex.js');

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

/** Starts `node bin/cortex.js …` as a real process, with the given environment on top of this one's. */
export function spawnCli(argv: string[], env: Record<string, string> = {}): RunningProcess {
  return spawnProcess(process.execPath, [CORTEX_BIN, ...argv], { env });
}

/** Runs `node bin/cortex.js …` to completion. */
export async function execCli(argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const p = spawnCli(argv, env);
  const code = await p.exited;
  return { code: code ?? -1, stdout: p.stdout, stderr: p.stderr };
}
