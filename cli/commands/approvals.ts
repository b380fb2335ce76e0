import { userInfo } from 'node:os';
import type { Config } from '../../shared/runtime/config.js';
import { parseCommand, stringFlag } from '../args.js';
import { resolveEndpoints } from '../defaults.js';
import { CommandFailedError, EXIT, UsageError, type ExitCode, type Io } from '../io.js';

/*
 * `cortex approvals`, `cortex approve <id> [--reason]`, `cortex deny <id> --reason`: the operator's side of approvals
 * (DESIGN §12) over the approvals function's HTTP API, with the operator token.
 */

const COMMON = `  --url <url>         approvals base URL (default: CORTEX_APPROVALS_URL, else the local stack's front door)
  --token <token>     operator token (default: CORTEX_OPERATOR_TOKEN, else the local stack's)`;

export const APPROVALS_USAGE = `cortex approvals [--all] [--json] [--url <url>] [--token <token>]

  Lists the actions waiting for a human's approval: id, healing, target, action, the dry-run diff, when it expires.

  --all               also decided, closed and expired requests
  --json              the requests as JSON
${COMMON}`;

export const APPROVE_USAGE = `cortex approve <id> [--reason <text>] [--by <name>] [--url <url>] [--token <token>]

  Approves a pending action; the healing applies it if the target is still as it was when approval was asked.

  --reason <text>     why (kept with the decision)
  --by <name>         who approves (default: $USER)
${COMMON}`;

export const DENY_USAGE = `cortex deny <id> --reason <text> [--by <name>] [--url <url>] [--token <token>]

  Denies a pending action; the healing ends failed (approval_denied) with the reason.

  --reason <text>     why (required)
  --by <name>         who denies (default: $USER)
${COMMON}`;

export interface ApprovalsCmdDeps {
  config: Config;
  fetch?: typeof fetch;
  /** Who runs the command, for `--by` (default: $USER). */
  user?: string;
}

interface Shown {
  approvalId: string;
  healingId: string;
  target: { namespace: string; service: string };
  action: string;
  object: string;
  why: string;
  diff: Array<{ op: string; path: string; value?: unknown; from?: unknown }>;
  expiresAt: string;
  status: string;
  decidedBy?: string;
  decisionReason?: string;
}

const show = (v: unknown): string => (v === undefined ? '∅' : JSON.stringify(v));

/** One diff operation as a line: `path: from → to`. */
export function diffLine(d: Shown['diff'][number]): string {
  if (d.op === 'remove') return `- ${d.path}${d.from !== undefined ? ` (was ${show(d.from)})` : ''}`;
  if (d.op === 'add') return `+ ${d.path}: ${show(d.value)}`;
  return `~ ${d.path}: ${show(d.from)} → ${show(d.value)}`;
}

/** A request as the lines `cortex approvals` prints. */
export function formatApproval(a: Shown): string {
  const head = `${a.approvalId}  ${a.status}  ${a.action} on ${a.target.namespace}/${a.target.service}  (healing ${a.healingId}; expires ${a.expiresAt})`;
  const decided = a.decidedBy ? [`    decided by ${a.decidedBy}${a.decisionReason ? `: ${a.decisionReason}` : ''}`] : [];
  return [head, `    why: ${a.why}`, `    ${a.object}:`, ...a.diff.map((d) => `      ${diffLine(d)}`), ...decided].join(
    '\n'
  );
}

async function call(deps: ApprovalsCmdDeps, url: string, token: string, init: RequestInit = {}): Promise<unknown> {
  let res: Response;
  try {
    res = await (deps.fetch ?? fetch)(url, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) }
    });
  } catch (err) {
    throw new CommandFailedError(`cannot reach ${url}: ${(err as Error).cause ?? (err as Error).message}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const message = (body as { error?: { message?: string } } | undefined)?.error?.message ?? text;
    throw new CommandFailedError(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${message}`);
  }
  return body;
}

/** `cortex approvals`. */
export async function approvalsCommand(argv: readonly string[], io: Io, deps: ApprovalsCmdDeps): Promise<ExitCode> {
  const spec = {
    all: { type: 'boolean' },
    json: { type: 'boolean' },
    url: { type: 'string' },
    token: { type: 'string' }
  } as const;
  const { flags } = parseCommand('approvals', argv, spec, 0);
  const endpoints = await resolveEndpoints('approvals', deps.config);
  const base = endpoints.approvals(stringFlag(flags, 'url'));
  const token = endpoints.operatorToken(stringFlag(flags, 'token'));
  const body = (await call(deps, `${base}/approvals${flags.all ? '?all=1' : ''}`, token)) as { approvals: Shown[] };
  if (flags.json) io.out(JSON.stringify(body.approvals, null, 2));
  else if (body.approvals.length === 0) io.out(flags.all ? 'no approval requests' : 'no pending approvals');
  else io.out(body.approvals.map(formatApproval).join('\n\n'));
  return EXIT.ok;
}

/** `cortex approve <id>` and `cortex deny <id> --reason`. */
export async function decideCommand(
  decision: 'approve' | 'deny',
  argv: readonly string[],
  io: Io,
  deps: ApprovalsCmdDeps
): Promise<ExitCode> {
  const spec = {
    reason: { type: 'string' },
    by: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' }
  } as const;
  const { flags, positionals } = parseCommand(decision, argv, spec, 1);
  const reason = stringFlag(flags, 'reason') ?? '';
  if (decision === 'deny' && reason.trim() === '') throw new UsageError('deny needs --reason <text>', 'deny');
  const by = stringFlag(flags, 'by') ?? deps.user ?? userInfo().username;
  const endpoints = await resolveEndpoints(decision, deps.config);
  const base = endpoints.approvals(stringFlag(flags, 'url'));
  const token = endpoints.operatorToken(stringFlag(flags, 'token'));
  const id = positionals[0]!;
  const shown = (await call(deps, `${base}/approvals/${encodeURIComponent(id)}`, token, {
    method: 'POST',
    body: JSON.stringify({ decision, reason, by: by.replace(/[^A-Za-z0-9._@-]/g, '-').slice(0, 64) || 'operator' })
  })) as Shown;
  io.out(
    `${decision === 'approve' ? 'approved' : 'denied'} ${shown.approvalId}: ${shown.action} on ${shown.target.namespace}/${shown.target.service} (healing ${shown.healingId})`
  );
  return EXIT.ok;
}
