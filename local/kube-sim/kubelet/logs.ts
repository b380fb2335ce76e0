/*
 * Container logs as a kubelet keeps them: one log per container run. The "current" log is the run the container
 * status points at; `previous` is the run of `lastState.terminated`. Lines are generated from what happens to the
 * container (start-up, periodic request lines while it serves, the crash that ends a run).
 */

export interface LogLine {
  t: number;
  text: string;
}

const MAX_LINES = 2000;
const HEARTBEAT_MS = 5000;

export class LogRun {
  readonly lines: LogLine[] = [];
  /** Lines ever written (lines beyond MAX_LINES are dropped from the front; followers track this count). */
  total = 0;
  endedAt: number | undefined;
  private nextHeartbeat: number;
  private beats = 0;

  constructor(
    readonly startedAt: number,
    private readonly app: AppInfo,
    /** Whether the container serves traffic (periodic request lines) while it runs. */
    public serving = true
  ) {
    this.nextHeartbeat = startedAt + HEARTBEAT_MS;
  }

  push(t: number, text: string | string[]): void {
    for (const line of Array.isArray(text) ? text : [text]) {
      this.lines.push({ t, text: line });
      this.total++;
    }
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
  }

  /** Lines written after the first `seen` ones (as many as are still kept). */
  since(seen: number): LogLine[] {
    const dropped = this.total - this.lines.length;
    return this.lines.slice(Math.max(0, seen - dropped));
  }

  /** Adds the request lines a serving container would have written up to `now`. */
  materialize(now: number): void {
    const until = this.endedAt ?? now;
    while (this.nextHeartbeat <= until) {
      if (this.serving) this.push(this.nextHeartbeat, heartbeatLine(this.app, this.nextHeartbeat, this.beats++));
      this.nextHeartbeat += HEARTBEAT_MS;
    }
  }

  end(t: number, text: string[] = []): void {
    this.materialize(t);
    this.push(t, text);
    this.endedAt = t;
  }
}

export interface AppInfo {
  app: string;
  version: string;
  port: number;
}

/** `ghcr.io/cortex-demo/mcp-demo:1.4.2` → `{ app: 'mcp-demo', version: '1.4.2' }`. */
export function appInfo(image: string, port: number | undefined): AppInfo {
  const last = image.split('/').pop() ?? image;
  const [app, version] = last.split('@')[0]!.split(':');
  return { app: app || 'app', version: version ?? 'latest', port: port ?? 8080 };
}

const iso = (t: number): string => new Date(t).toISOString();

export function startupLines(a: AppInfo, t: number): string[] {
  return [
    `${iso(t)} INFO  ${a.app} ${a.version} starting (node v20.19.0, pid 1)`,
    `${iso(t)} INFO  configuration loaded from /etc/${a.app}/config.yaml`,
    `${iso(t)} INFO  connecting to postgres at 10.96.0.12:5432`,
    `${iso(t)} INFO  MCP server listening on 0.0.0.0:${a.port} (streamable-http, path /mcp)`
  ];
}

function heartbeatLine(a: AppInfo, t: number, n: number): string {
  if (n % 3 === 2) return `${iso(t)} INFO  POST /mcp 200 tools/call ${8 + (n % 7)}ms`;
  return `${iso(t)} INFO  GET /healthz 200 ${1 + (n % 2)}ms`;
}

export function crashLines(kind: 'error' | 'oom' | 'transient', a: AppInfo, t: number): string[] {
  if (kind === 'oom') {
    return [
      `${iso(t)} WARN  heap usage at 97% of limit while building tool index`,
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
  }
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
    `${iso(t)} ERROR failed to connect to postgres`,
    'Error: connect ECONNREFUSED 10.96.0.12:5432',
    '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16) {',
    '  errno: -111,',
    "  code: 'ECONNREFUSED',",
    "  syscall: 'connect',",
    "  address: '10.96.0.12',",
    '  port: 5432',
    '}',
    `${iso(t)} FATAL ${a.app} cannot start without its database, exiting with code 1`
  ];
}

export const notReadyLine = (t: number): string =>
  `${iso(t)} WARN  readiness check failed: upstream dependency timed out after 5000ms`;

export const shutdownLines = (t: number): string[] => [
  `${iso(t)} INFO  received SIGTERM, draining connections`,
  `${iso(t)} INFO  shutdown complete`
];

export interface LogQuery {
  tailLines?: number;
  limitBytes?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
}

/** Formats a run's lines for the API: since/tail filters, RFC 3339 timestamps on request, then the byte limit. */
export function renderLog(lines: LogLine[], q: LogQuery, now: number): string {
  let sel = lines;
  if (q.sinceSeconds !== undefined) sel = sel.filter((l) => l.t >= now - q.sinceSeconds! * 1000);
  if (q.tailLines !== undefined) sel = q.tailLines <= 0 ? [] : sel.slice(-q.tailLines);
  let text = sel.map((l) => formatLine(l, q.timestamps)).join('');
  if (q.limitBytes !== undefined && q.limitBytes >= 0) text = Buffer.from(text).subarray(0, q.limitBytes).toString('utf8');
  return text;
}

export function formatLine(l: LogLine, timestamps?: boolean): string {
  return `${timestamps ? `${new Date(l.t).toISOString().replace('Z', '000000Z')} ` : ''}${l.text}\n`;
}
