import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { ConfigError } from '../../shared/runtime/errors.js';
import { packageRoot } from '../../shared/runtime/package-root.js';
import { startBalancer, type Balancer } from './balancer.js';

/*
 * CORTEX_REPLICAS on the local stack: the functions it names run as separate OS processes (local/stack/replica.ts),
 * N per function, behind a round-robin balancer that stands in for the function's Knative Service.
 */

/** The checkout's root: where `--import tsx` resolves and the build lives. */
const ROOT = packageRoot();
/**
 * What a replica runs: the build's entry when the stack itself runs from the build (npm start), the TypeScript source
 * through tsx when it runs from the sources (the tests).
 */
const FROM_SOURCES = fileURLToPath(import.meta.url).endsWith('.ts');
const ENTRY = FROM_SOURCES ? path.join(ROOT, 'local/stack/replica.ts') : path.join(ROOT, 'dist/local/stack/replica.js');
const EXEC_ARGV = FROM_SOURCES ? ['--import', 'tsx'] : [];

/**
 * How many processes each named function gets. A function that keeps state in its process cannot have two (asking
 * for it by name is refused; `*` gives it one); one that shares its state through Redis needs CORTEX_REDIS_URL for
 * two. Unnamed functions are left out: they run inside the stack's process.
 *
 * @example
 * planReplicas(defs, { '*': 2 }, true); // → Map { 'error-intake' => 2, …, 'sse-relay' => 1 }
 */
export function planReplicas(
  defs: readonly AnyFunctionDef[],
  counts: Readonly<Record<string, number>>,
  redis: boolean
): Map<string, number> {
  const unknown = Object.keys(counts).filter((n) => n !== '*' && !defs.some((d) => d.name === n));
  if (unknown.length > 0)
    throw new ConfigError(
      `CORTEX_REPLICAS names ${unknown.join(', ')}, not a Cortex function here; known: ${defs.map((d) => d.name).join(', ')}`
    );
  const plan = new Map<string, number>();
  for (const def of defs) {
    const asked = counts[def.name] ?? counts['*'];
    if (asked === undefined) continue;
    let n = asked;
    if (n > 1 && def.sharedState === 'process') {
      if (counts[def.name] !== undefined)
        throw new ConfigError(
          `CORTEX_REPLICAS asks for ${n} replicas of ${def.name}, which keeps its state in its own process: it runs as one`
        );
      n = 1;
    }
    if (n > 1 && def.sharedState === 'redis' && !redis)
      throw new ConfigError(
        `CORTEX_REPLICAS asks for ${n} replicas of ${def.name}, whose replicas share their state through Redis: ` +
          'set CORTEX_REDIS_URL (or run npm run start:scaled, which starts a private redis-server)'
      );
    plan.set(def.name, n);
  }
  return plan;
}

export interface Replica {
  readonly index: number;
  readonly url: string;
  readonly pid: number;
  readonly up: boolean;
}

/** The processes of one function and the balancer in front of them. */
export interface ReplicaSet {
  readonly name: string;
  /** The balancer: what the broker and the front door call. */
  readonly url: string;
  replicas(): Replica[];
  /** Sends a signal to one replica (SIGKILL: `kill -9`) and waits until its process is gone. */
  kill(index: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a replica in a slot whose process is gone. */
  start(index: number): Promise<void>;
  /** Stops every replica gracefully (SIGTERM), keeping the balancer. */
  stopReplicas(): Promise<void>;
  /** Starts every replica that is not running. */
  startReplicas(): Promise<void>;
  /** Stops the replicas and the balancer. */
  stop(): Promise<void>;
}

interface Slot {
  child: ChildProcess | undefined;
  url: string;
  pid: number;
  up: boolean;
}

function gone(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Forks one replica and resolves once it listens. */
function spawnReplica(slot: Slot, env: Record<string, string>, name: string, fn: string, startMs: number): Promise<void> {
  const child = fork(ENTRY, [], {
    execArgv: EXEC_ARGV,
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  });
  slot.child = child;
  child.send({ kind: 'config', env: { ...env, CORTEX_FUNCTION: fn } });
  child.once('exit', () => {
    if (slot.child === child) slot.up = false;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`replica of ${name} did not listen within ${startMs} ms`));
    }, startMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`replica of ${name} exited (${code ?? signal}) before listening`));
    });
    child.once('message', (m: { kind?: string; url?: string }) => {
      if (m.kind !== 'listening' || !m.url) return;
      clearTimeout(timer);
      Object.assign(slot, { url: m.url, pid: child.pid!, up: true });
      resolve();
    });
  });
}

/** Runs at most `n` of the given tasks at once: replicas start a few at a time, not dozens of compilers racing. */
export function createLimiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

const unlimited = <T>(task: () => Promise<T>): Promise<T> => task();

/**
 * Starts `count` processes of a function and a balancer in front of them. `name` is the Service they stand in for,
 * `opts.fn` the function they run when it is another (the relay's ingest Service runs the relay).
 *
 * @example
 * const set = await startReplicaSet('healing-coordinator', 3, env);
 * await set.kill(0); // kill -9 of the first replica
 */
export async function startReplicaSet(
  name: string,
  count: number,
  env: Record<string, string>,
  opts: { startMs?: number; stopMs?: number; limit?: <T>(task: () => Promise<T>) => Promise<T>; fn?: string } = {}
): Promise<ReplicaSet> {
  const startMs = opts.startMs ?? 60_000;
  const limit = opts.limit ?? unlimited;
  const stopMs = opts.stopMs ?? 15_000;
  const slots: Slot[] = Array.from({ length: count }, () => ({ child: undefined, url: '', pid: 0, up: false }));
  const balancer: Balancer = await startBalancer(() => slots.filter((s) => s.up).map((s) => s.url));
  const startSlot = (i: number): Promise<void> => limit(() => spawnReplica(slots[i]!, env, name, opts.fn ?? name, startMs));
  const signal = async (i: number, sig: NodeJS.Signals): Promise<void> => {
    const child = slots[i]?.child;
    if (!child) return;
    slots[i]!.up = false;
    child.kill(sig);
    const killer = setTimeout(() => child.kill('SIGKILL'), stopMs);
    await gone(child);
    clearTimeout(killer);
  };
  const set: ReplicaSet = {
    name,
    url: balancer.url,
    replicas: () => slots.map((s, index) => ({ index, url: s.url, pid: s.pid, up: s.up })),
    kill: (i, sig = 'SIGKILL') => signal(i, sig),
    start: async (i) => {
      const child = slots[i]?.child;
      if (child && child.exitCode === null && child.signalCode === null) return;
      await startSlot(i);
    },
    stopReplicas: async () => void (await Promise.all(slots.map((_, i) => signal(i, 'SIGTERM')))),
    startReplicas: async () => void (await Promise.all(slots.map((_, i) => set.start(i)))),
    stop: async () => {
      await set.stopReplicas();
      await balancer.stop();
    }
  };
  try {
    await set.startReplicas();
  } catch (err) {
    await set.stop();
    throw err;
  }
  return set;
}
