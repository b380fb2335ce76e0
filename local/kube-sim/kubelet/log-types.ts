import { type DependencyState } from './dependencies.js';

/*
 * The vocabulary of generated container logs: which app a container runs, and what its log says at each point of
 * its life. One AppLog per kind of app (a Node.js MCP server, PostgreSQL).
 */

export interface AppInfo {
  app: string;
  version: string;
  port: number;
  /** Whose log lines the container writes. */
  flavor: 'node' | 'postgres';
}

export type CrashKind = 'error' | 'oom' | 'transient' | 'dependency';

export interface AppLog {
  /** Lines of a start; `deps` are the Services the app connects to. */
  startup(a: AppInfo, t: number, deps: readonly DependencyState[]): string[];
  /** The periodic line of a serving container (the n-th since it started), if the app writes one. */
  heartbeat(a: AppInfo, t: number, n: number): string | undefined;
  /** The lines that end a crashed run; `dependency` is the unreachable Service of a `dependency` crash. */
  crash(kind: CrashKind, a: AppInfo, t: number, dependency?: DependencyState): string[];
  notReady(t: number): string;
  shutdown(t: number): string[];
}

export const iso = (t: number): string => new Date(t).toISOString();
