import { randomUUID } from 'node:crypto';
import { ErrorReported } from '../../shared/events/catalog.js';
import type { CloudEventRecord } from '../../shared/events/http.js';
import { ERROR_CATEGORIES } from '../../shared/events/schemas.js';
import type { Config } from '../../shared/runtime/config.js';
import { newSpanId, newTraceId } from '../../shared/tracing/traceparent.js';
import { parseCommand, stringFlag } from '../args.js';
import { resolveEndpoints } from '../defaults.js';
import { CommandFailedError, EXIT, UsageError, type ExitCode, type Io } from '../io.js';
import { sendEvents } from '../replay/send.js';

export const SEND_USAGE = `cortex send error --target <namespace>/<service> [--category mcp_unreachable] [--message <text>]
                  [--session <id>] [--to <broker-url>]

  Crafts a dev.cortex.error.reported for a workload and sends it to the broker, as the chat does when an MCP call
  fails: a healing of that target starts. The event starts a new trace; its id and trace id are printed.

  --target <ns>/<service>   the Kubernetes Service behind the failing dependency (required)
  --category <c>            one of ${ERROR_CATEGORIES.join(', ')} (default: mcp_unreachable)
  --message <text>          what failed (default: "reported with cortex send")
  --session <id>            a chat session that should see the healing
  --to <url>                broker ingress (default: K_SINK, else the local stack's broker)`;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface SendDeps {
  config: Config;
  fetch?: typeof fetch;
  now?: () => Date;
}

function errorEvent(flags: Record<string, string | boolean | undefined>, now: Date): CloudEventRecord {
  const target = stringFlag(flags, 'target');
  if (!target) throw new UsageError('--target <namespace>/<service> is required', 'send');
  const [namespace, service, ...rest] = target.split('/');
  if (rest.length > 0 || !namespace || !service || !DNS_LABEL.test(namespace) || !DNS_LABEL.test(service)) {
    throw new UsageError(`--target must be <namespace>/<service> (Kubernetes names), got "${target}"`, 'send');
  }
  const category = stringFlag(flags, 'category') ?? 'mcp_unreachable';
  if (!(ERROR_CATEGORIES as readonly string[]).includes(category)) {
    throw new UsageError(`--category must be one of ${ERROR_CATEGORIES.join(', ')}, got "${category}"`, 'send');
  }
  const session = stringFlag(flags, 'session');
  const parsed = ErrorReported.data.safeParse({
    component: 'cortex-cli',
    category,
    message: stringFlag(flags, 'message') ?? 'reported with cortex send',
    occurredAt: now.toISOString(),
    target: { namespace, service },
    ...(session ? { sessionId: session } : {})
  });
  if (!parsed.success)
    throw new UsageError(
      `the event would not be valid: ${parsed.error.issues.map((i: { message: string }) => i.message).join('; ')}`,
      'send'
    );
  const id = randomUUID();
  return {
    specversion: '1.0',
    id,
    source: '/cortex/cli',
    type: ErrorReported.type,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    correlationid: id,
    traceparent: `00-${newTraceId()}-${newSpanId()}-01`,
    ...(session ? { sessionid: session } : {}),
    data: parsed.data
  };
}

/**
 * @example
 * await sendCommand(['error', '--target', 'demo/mcp-demo'], processIo, { config: loadConfig() });
 */
export async function sendCommand(argv: readonly string[], io: Io, deps: SendDeps): Promise<ExitCode> {
  const { flags, positionals } = parseCommand(
    'send',
    argv,
    {
      target: { type: 'string' },
      category: { type: 'string' },
      message: { type: 'string' },
      session: { type: 'string' },
      to: { type: 'string' }
    },
    1
  );
  if (positionals[0] !== 'error')
    throw new UsageError(`cortex send knows one kind of event: error (got "${positionals[0]}")`, 'send');
  const event = errorEvent(flags, (deps.now ?? (() => new Date()))());
  const endpoints = await resolveEndpoints('send', deps.config);
  const to = endpoints.broker(stringFlag(flags, 'to'));
  const r = await sendEvents([{ line: 1, event }], { to, fetch: deps.fetch, token: await endpoints.eventToken() });
  if (r.stopped) throw new CommandFailedError(`not sent: ${r.stopped.reason}`);
  const rejected = r.rejected[0];
  if (rejected) throw new CommandFailedError(`rejected: the broker answered ${rejected.status}: ${rejected.reason}`);
  const traceId = String(event.traceparent).split('-')[1];
  io.out(`sent ${event.type} id=${event.id} to ${to}`);
  io.out(`trace ${traceId}; follow the healing with: cortex tail`);
  return EXIT.ok;
}
