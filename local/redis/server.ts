import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/*
 * A private redis-server (Debian's package, installed by scripts/ensure-test-deps.mjs) on a free loopback port with
 * its own directory: what `npm run start:scaled` runs beside the stack and what tests start, never the system
 * service. Append-only file on, snapshots off (`--save ''`), so a restart on the same directory keeps every write
 * (chaos tests stop, kill and restart it).
 */

export const REDIS_SERVER_BIN = '/usr/bin/redis-server';

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** The running server's pid; undefined while it is stopped. */
  pid(): number | undefined;
  /** SIGTERM and wait: Redis flushes its append-only file and exits. */
  stop(): Promise<void>;
  /** SIGKILL: what a crash or an OOM kill does. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (after stop or kill). */
  start(): Promise<void>;
  /** Stops it and removes its directory (unless the directory was given). */
  dispose(): Promise<void>;
}

export interface RedisServerOptions {
  port?: number;
  /** Where the append-only file lives; a fresh temp dir by default (removed by dispose). */
  dir?: string;
  bin?: string;
}

/** A port nobody listens on right now (the kernel's pick). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Spawns redis-server and resolves once it accepts connections; rejects with its output if it exits first. */
function launch(bin: string, port: number, dir: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'];
  const child = spawn(bin, [...args, '--daemonize', 'no', '--logfile', '', '--loglevel', 'warning'], {
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4_000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4_000)));
  return new Promise((resolve, reject) => {
    let done = false;
    const fail = (why: string): void => {
      if (done) return;
      done = true;
      child.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port} ${why}: ${output.trim() || '(no output)'}`));
    };
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before accepting connections`));
    child.once('error', (err) => fail(`could not start (${err.message})`));
    const deadline = Date.now() + 10_000;
    const probe = (): void => {
      if (done) return;
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.write('PING\r\n');
        socket.once('data', (d) => {
          socket.destroy();
          // "-LOADING" while it replays the append-only file: not ready yet.
          if (d.toString().startsWith('+PONG')) {
            done = true;
            resolve(child);
          } else setTimeout(probe, 25);
        });
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) fail('did not accept connections within 10 s');
        else setTimeout(probe, 25);
      });
    };
    probe();
  });
}

/**
 * Starts a private redis-server.
 *
 * @example
 * const redis = await startRedisServer();
 * // CORTEX_REDIS_URL=redis.url
 * await redis.dispose();
 */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const bin = opts.bin ?? REDIS_SERVER_BIN;
  if (!existsSync(bin)) {
    throw new Error(
      `${bin} is missing: install Debian's redis-server with \`node scripts/ensure-test-deps.mjs redis-server\` (as root)`
    );
  }
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'cortex-redis-'));
  let port = opts.port ?? (await freePort());
  let child: ChildProcess | undefined;
  // A free port can be taken between the probe and the bind: try another one (unless the port was given).
  for (let attempt = 0; ; attempt++) {
    try {
      child = await launch(bin, port, dir);
      break;
    } catch (err) {
      if (opts.port !== undefined || attempt >= 3 || !/in use/i.test(String(err))) throw err;
      port = await freePort();
    }
  }
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c) return;
    c.kill(signal);
    await exited(c);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    pid: () => child?.pid,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    start: async () => {
      if (!child) child = await launch(bin, port, dir);
    },
    dispose: async () => {
      await end('SIGTERM');
      if (opts.dir === undefined) await rm(dir, { recursive: true, force: true });
    }
  };
}
