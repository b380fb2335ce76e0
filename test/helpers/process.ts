import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * A real child process as tests drive one: its output as lines, waiting for a line, stopping it with a signal.
 */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunningProcess {
  pid: number;
  stdout: string[];
  stderr: string[];
  /** Resolves once a stdout or stderr line matches. */
  waitFor(stream: 'stdout' | 'stderr', match: (line: string) => boolean, safetyMs?: number): Promise<string>;
  /** Sends a signal (to its whole process group when started with `group`) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export interface SpawnOptions {
  /** Environment on top of this process's own. */
  env?: Record<string, string>;
  /** Its own process group, signalled as a whole as a terminal's Ctrl-C does (for `npm start`, which runs a shell). */
  group?: boolean;
}

/** Starts `command args…` in the project root. */
export function spawnProcess(command: string, args: readonly string[], opts: SpawnOptions = {}): RunningProcess {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.group === true
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
    pid: child.pid!,
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
      if (child.exitCode === null && child.signalCode === null) {
        if (opts.group) process.kill(-child.pid!, signal);
        else child.kill(signal);
      }
      return exited;
    }
  };
}
