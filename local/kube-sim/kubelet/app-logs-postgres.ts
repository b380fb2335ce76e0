import { type AppLog } from './log-types.js';

/*
 * The log of a PostgreSQL container (the demo's database), in postgres' own format: start-up until it accepts
 * connections, the fast shutdown on SIGTERM, and a start-up failure for the crash faults.
 */

const ts = (t: number): string => `${new Date(t).toISOString().replace('T', ' ').replace('Z', '')} UTC`;

export const POSTGRES_LOG: AppLog = {
  startup: (a, t) => [
    `${ts(t)} [1] LOG:  starting PostgreSQL ${a.version} on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit`,
    `${ts(t)} [1] LOG:  listening on IPv4 address "0.0.0.0", port ${a.port}`,
    `${ts(t)} [1] LOG:  listening on Unix socket "/var/run/postgresql/.s.PGSQL.${a.port}"`,
    `${ts(t)} [28] LOG:  database system was shut down at ${ts(t - 60_000)}`,
    `${ts(t)} [1] LOG:  database system is ready to accept connections`
  ],
  heartbeat: () => undefined,
  crash(kind, _a, t) {
    if (kind === 'oom') {
      return [
        `${ts(t)} [61] ERROR:  out of memory`,
        `${ts(t)} [61] DETAIL:  Failed on request of size 8388608 in memory context "ExecutorState".`,
        `${ts(t)} [1] LOG:  server process (PID 61) was terminated by signal 9: Killed`
      ];
    }
    return [
      `${ts(t)} [1] FATAL:  data directory "/var/lib/postgresql/data/pgdata" has invalid permissions`,
      `${ts(t)} [1] DETAIL:  Permissions should be u=rwx (0700) or u=rwx,g=rx (0750).`
    ];
  },
  notReady: (t) => `${ts(t)} [1] LOG:  waiting for WAL to become available at 0/3000060`,
  shutdown: (t) => [
    `${ts(t)} [1] LOG:  received fast shutdown request`,
    `${ts(t)} [1] LOG:  aborting any active transactions`,
    `${ts(t)} [1] LOG:  database system is shut down`
  ]
};
