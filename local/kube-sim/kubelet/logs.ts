import { NODE_APP_LOG } from './app-logs-node.js';
import { POSTGRES_LOG } from './app-logs-postgres.js';
import { type AppInfo, type AppLog } from './log-types.js';

export { type AppInfo } from './log-types.js';

/*
 * Container logs as a kubelet keeps them: one log per container run. The "current" log is the run the container
 * status points at; `previous` is the run of `lastState.terminated`. Lines are generated from what happens to the
 * container (start-up, periodic request lines while it serves, the crash that ends a run) by the app's AppLog.
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
      const line = this.serving ? appLog(this.app).heartbeat(this.app, this.nextHeartbeat, this.beats++) : undefined;
      if (line !== undefined) this.push(this.nextHeartbeat, line);
      this.nextHeartbeat += HEARTBEAT_MS;
    }
  }

  end(t: number, text: string[] = []): void {
    this.materialize(t);
    this.push(t, text);
    this.endedAt = t;
  }
}

/** `ghcr.io/cortex-demo/mcp-demo:1.4.2` → `{ app: 'mcp-demo', version: '1.4.2', flavor: 'node' }`. */
export function appInfo(image: string, port: number | undefined): AppInfo {
  const last = image.split('/').pop() ?? image;
  const [app, version] = last.split('@')[0]!.split(':');
  const flavor = app === 'postgres' ? 'postgres' : 'node';
  return { app: app || 'app', version: version ?? 'latest', port: port ?? (flavor === 'postgres' ? 5432 : 8080), flavor };
}

/** The lines an app writes (by the kind of app the image is). */
export const appLog = (a: AppInfo): AppLog => (a.flavor === 'postgres' ? POSTGRES_LOG : NODE_APP_LOG);

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
