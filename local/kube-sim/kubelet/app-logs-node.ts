import { type DependencyState, dependencyRole } from './dependencies.js';
import { type AppInfo, type AppLog, type CrashKind, iso } from './log-types.js';

/*
 * The log of a Node.js MCP server (the demo workloads): start-up, request lines while it serves, and the way each
 * fault ends a run. Every app keeps its sessions in an external store outside the cluster (SESSION_STORE): the plain
 * crash loop is that store refusing connections, an address no Service of the cluster has, so nothing in the
 * cluster explains it. A crash caused by `sim.cortex.dev/depends-on` names the Service's DNS name and its ClusterIP.
 */

/** The external session store every app connects to (outside the Service and pod ranges). */
export const SESSION_STORE = { ip: '10.10.4.7', port: 6379 } as const;

const where = (d: DependencyState): string => `${d.host}${d.port ? `:${d.port}` : ''}`;

/** Node's error for a failed connect, as an uncaught error prints it. */
export function connectError(code: 'ECONNREFUSED' | 'ETIMEDOUT' | 'ENOTFOUND', host: string, port?: number): string[] {
  if (code === 'ENOTFOUND') {
    return [
      `Error: getaddrinfo ENOTFOUND ${host}`,
      '    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:120:26) {',
      '  errno: -3008,',
      "  code: 'ENOTFOUND',",
      "  syscall: 'getaddrinfo',",
      `  hostname: '${host}'`,
      '}'
    ];
  }
  return [
    `Error: connect ${code} ${host}:${port ?? 0}`,
    '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16) {',
    `  errno: ${code === 'ECONNREFUSED' ? -111 : -110},`,
    `  code: '${code}',`,
    "  syscall: 'connect',",
    `  address: '${host}',`,
    `  port: ${port ?? 0}`,
    '}'
  ];
}

function dependencyCrash(a: AppInfo, t: number, d: DependencyState): string[] {
  const code = d.error ?? 'ECONNREFUSED';
  return [
    `${iso(t)} ERROR failed to connect to ${d.ref.service} at ${where(d)}`,
    ...connectError(code, code === 'ENOTFOUND' ? d.host : (d.ip ?? d.host), d.port),
    `${iso(t)} FATAL ${a.app} cannot start without its ${dependencyRole(d)} ${d.ref.service}, exiting with code 1`
  ];
}

const OOM = [
  '',
  '<--- Last few GCs --->',
  '',
  '[1:0x6a4d2c0]    61234 ms: Mark-Compact 121.9 (127.5) -> 121.4 (128.2) MB, 812.3 / 0.0 ms  (average mu = 0.101, current mu = 0.012) allocation failure; scavenge might not succeed',
  '',
  '<--- JS stacktrace --->',
  '',
  'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
  ' 1: 0xb8d0a3 node::Abort() [node]',
  ' 2: 0xa96834  [node]',
  ' 3: 0xd7cf50 v8::Utils::ReportOOMFailure(v8::internal::Isolate*, char const*, v8::OOMDetails const&) [node]'
];

export const NODE_APP_LOG: AppLog = {
  startup: (a, t, deps) => [
    `${iso(t)} INFO  ${a.app} ${a.version} starting (node v20.19.0, pid 1)`,
    `${iso(t)} INFO  configuration loaded from /etc/${a.app}/config.yaml`,
    `${iso(t)} INFO  connecting to the session store at ${SESSION_STORE.ip}:${SESSION_STORE.port}`,
    ...deps.map((d) => `${iso(t)} INFO  connecting to ${d.ref.service} at ${where(d)}`),
    `${iso(t)} INFO  MCP server listening on 0.0.0.0:${a.port} (streamable-http, path /mcp)`
  ],
  heartbeat: (_a, t, n) =>
    n % 3 === 2
      ? `${iso(t)} INFO  POST /mcp 200 tools/call ${8 + (n % 7)}ms`
      : `${iso(t)} INFO  GET /healthz 200 ${1 + (n % 2)}ms`,
  crash(kind: CrashKind, a, t, dependency) {
    if (kind === 'dependency' && dependency) return dependencyCrash(a, t, dependency);
    if (kind === 'oom') return [`${iso(t)} WARN  heap usage at 97% of limit while building tool index`, ...OOM];
    if (kind === 'transient') {
      return [
        `${iso(t)} ERROR session cache checksum mismatch after failover, refusing to serve stale sessions`,
        'Error: session cache corrupted (restart required)',
        `    at SessionCache.load (/app/dist/cache.js:88:13)`,
        `    at async Server.start (/app/dist/server.js:41:5)`,
        `${iso(t)} FATAL ${a.app} exiting with code 1`
      ];
    }
    return [
      `${iso(t)} ERROR failed to connect to the session store at ${SESSION_STORE.ip}:${SESSION_STORE.port}`,
      ...connectError('ECONNREFUSED', SESSION_STORE.ip, SESSION_STORE.port),
      `${iso(t)} FATAL ${a.app} cannot start without its session store, exiting with code 1`
    ];
  },
  notReady: (t) => `${iso(t)} WARN  readiness check failed: upstream dependency timed out after 5000ms`,
  shutdown: (t) => [`${iso(t)} INFO  received SIGTERM, draining connections`, `${iso(t)} INFO  shutdown complete`]
};
