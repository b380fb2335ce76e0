import { toBinary, type CloudEventRecord } from '../../shared/events/http.js';
import type { EventLine } from '../events-file.js';

/*
 * Sends events one at a time, in order, in binary mode, and says exactly what happened to each: sent (2xx),
 * rejected (a 4xx the broker will not take: the next event is still sent), or not sent because the broker could not
 * be reached or kept failing (retried a few times, then the replay stops: every later event would fail the same way).
 */

export interface Rejected {
  readonly line: number;
  readonly type: string;
  readonly status: number;
  readonly reason: string;
}

export interface SendReport {
  readonly sent: EventLine[];
  readonly rejected: Rejected[];
  /** Not attempted, or given up on: the broker was unreachable or kept answering 5xx. */
  readonly unsent: EventLine[];
  /** Why the replay stopped early. */
  readonly stopped?: { line: number; reason: string };
}

export interface SendOptions {
  to: string;
  fetch?: typeof fetch;
  /** With a Broker that checks OIDC tokens: the operator's token, sent as `Authorization: Bearer`. */
  token?: string | undefined;
  /** Attempts per event while the broker is unreachable or answers 408/429/5xx. */
  attempts?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
  /** Called after each event the broker accepted. */
  onSent?(line: EventLine): void;
  /** Called after each event, sent or rejected. */
  onProgress?(done: number, total: number): void;
}

const retriable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

async function reasonOf(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message;
  } catch {
    // not a JSON error body: use the text
  }
  return text.trim().slice(0, 300) || res.statusText || `HTTP ${res.status}`;
}

type Attempt = { kind: 'sent' } | { kind: 'rejected'; status: number; reason: string } | { kind: 'failed'; reason: string };

async function post(opts: SendOptions, event: CloudEventRecord): Promise<Attempt> {
  const doFetch = opts.fetch ?? fetch;
  const { headers, body } = toBinary(event);
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const attempts = Math.max(1, opts.attempts ?? 3);
  let last = '';
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, (opts.retryDelayMs ?? 250) * 2 ** (i - 1)));
    let res: Response;
    try {
      res = await doFetch(opts.to, { method: 'POST', headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      last = `is unreachable (${cause?.code ?? cause?.message ?? (err as Error).message})`;
      continue;
    }
    if (res.ok) {
      await res.text().catch(() => '');
      return { kind: 'sent' };
    }
    const reason = await reasonOf(res);
    if (!retriable(res.status)) return { kind: 'rejected', status: res.status, reason };
    last = `answered ${res.status}: ${reason}`;
  }
  return { kind: 'failed', reason: `the broker at ${opts.to} ${last} (${attempts} attempt${attempts === 1 ? '' : 's'})` };
}

/**
 * @example
 * const report = await sendEvents(plan.send.map((l) => ({ ...l, event: asRecorded(l.event) })), { to: brokerUrl });
 */
export async function sendEvents(lines: readonly EventLine[], opts: SendOptions): Promise<SendReport> {
  const sent: EventLine[] = [];
  const rejected: Rejected[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const r = await post(opts, l.event);
    if (r.kind === 'failed') return { sent, rejected, unsent: lines.slice(i), stopped: { line: l.line, reason: r.reason } };
    if (r.kind === 'sent') {
      sent.push(l);
      opts.onSent?.(l);
    } else rejected.push({ line: l.line, type: l.event.type, status: r.status, reason: r.reason });
    opts.onProgress?.(i + 1, lines.length);
  }
  return { sent, rejected, unsent: [] };
}
