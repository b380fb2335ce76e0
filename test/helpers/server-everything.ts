import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/*
 * The MCP project's reference server, `@modelcontextprotocol/server-everything` (a devDependency, pinned), in its
 * Streamable HTTP mode: `node dist/index.js streamableHttp`, endpoint `/mcp`, port from `PORT` (default 3001). It
 * announces nothing a test could read its port from, so it runs with PORT=0 and a preload that reports the port the
 * OS gave it over IPC.
 */

const require = createRequire(import.meta.url);
const PRELOAD = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'report-port.mjs')).href;

export interface ServerEverything {
  url: string;
  port: number;
  /** What it wrote on stderr (its own log). */
  stderr(): string;
  stop(): Promise<void>;
}

export function serverEverythingEntry(): string {
  const pkg = require.resolve('@modelcontextprotocol/server-everything/package.json');
  return path.join(path.dirname(pkg), 'dist', 'index.js');
}

/** Starts server-everything on a free port; resolves once it listens. */
export async function startServerEverything(timeoutMs = 20_000): Promise<ServerEverything> {
  let err = '';
  const child: ChildProcess = fork(serverEverythingEntry(), ['streamableHttp'], {
    env: { ...process.env, PORT: '0' },
    execArgv: ['--import', PRELOAD],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc']
  });
  child.stderr?.on('data', (chunk: Buffer) => void (err += chunk.toString('utf8')));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server-everything did not listen within ${timeoutMs} ms: ${err}`)),
      timeoutMs
    );
    child.on('message', (m: { listening?: number }) => {
      if (typeof m?.listening !== 'number') return;
      clearTimeout(timer);
      resolve(m.listening);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything exited with ${code}: ${err}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      })
  };
}
