import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorReported } from '../../shared/events/catalog.js';
import { stamp } from '../../shared/events/envelope.js';
import type { KubePort } from '../../shared/kube/port.js';
import { systemClock, systemIds } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logging.js';
import type { Publish } from '../../shared/runtime/publish.js';
import { isSessionId } from '../../shared/session/token.js';
import { FAULTS, type Fault, type Simulator } from '../kube-sim/index.js';
import type { Route } from './front-door.js';
import type { DemoBackend } from './demo.js';
import { probeUntilFailure } from './probe.js';
import { isReportable } from '../../shared/mcp/failures.js';
import { browserWriteProblem } from '../../shared/runtime/browser-writes.js';
import { toErrorBody, toHttpStatus } from '../../shared/runtime/errors.js';

/*
 * Local-only routes of the front door (never part of a function, never in a cluster): what the page's fault buttons
 * call. A fault is injected through the simulated cluster, then the demo MCP server is probed through its Service as
 * the chat would call it; a failed probe is reported as dev.cortex.error.reported, so a healing starts for real.
 */

export const PAGE_FAULTS = ['scale-zero', ...FAULTS] as const;
export type PageFault = (typeof PAGE_FAULTS)[number];

export interface DemoApiDeps {
  sim: Simulator;
  kube: KubePort;
  demo: { namespace: string; deployment: string; service: string };
  backend: DemoBackend;
  publish: Publish;
  info: Record<string, unknown>;
  log: Logger;
  probe?: { withinMs: number; everyMs: number; timeoutMs: number };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage, limit = 16 * 1024): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const parsed: unknown = text ? JSON.parse(text) : {};
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body must be a JSON object');
  return parsed as Record<string, unknown>;
}

async function inject(deps: DemoApiDeps, deployment: string, fault: PageFault | 'clear'): Promise<void> {
  const { namespace } = deps.demo;
  const current = await deps.kube.readDeployment(namespace, deployment);
  if (!current) throw new Error(`deployment ${namespace}/${deployment} does not exist`);
  // network-block: the simulator creates the NetworkPolicy; the local Service stand-in cannot filter by policy, so it drops traffic instead, as a blocked connection would.
  deps.backend.proxy.setFault(fault === 'network-block' ? 'hang' : 'none');
  if (fault === 'scale-zero') return void (await deps.kube.scaleDeployment(namespace, deployment, 0));
  deps.sim.setFault(namespace, deployment, fault === 'clear' ? 'none' : (fault as Fault));
  if (fault === 'clear' && (current.spec?.replicas ?? 0) === 0) await deps.kube.scaleDeployment(namespace, deployment, 1);
}

async function faults(deps: DemoApiDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Only the page itself may press the fault buttons: JSON from its own origin (docs/security.md).
  const refused = browserWriteProblem(req.headers);
  if (refused) {
    req.resume();
    return json(res, toHttpStatus(refused), toErrorBody(refused));
  }
  let body: Record<string, unknown>;
  try {
    body = await readJson(req);
  } catch (err) {
    return json(res, 400, { error: { code: 'bad_request', message: (err as Error).message } });
  }
  const fault = body.fault as PageFault | 'clear';
  const deployment = typeof body.deployment === 'string' ? body.deployment : deps.demo.deployment;
  const sessionId = typeof body.sessionId === 'string' && isSessionId(body.sessionId) ? body.sessionId : undefined;
  if (fault !== 'clear' && !PAGE_FAULTS.includes(fault)) {
    return json(res, 400, {
      error: { code: 'bad_request', message: `fault must be one of ${PAGE_FAULTS.join(', ')} or clear` }
    });
  }
  try {
    await inject(deps, deployment, fault);
  } catch (err) {
    return json(res, 404, { error: { code: 'not_found', message: (err as Error).message } });
  }
  deps.log.info({ fault, deployment, sessionId }, 'fault injected');
  if (fault === 'clear' || deployment !== deps.demo.deployment)
    return json(res, 202, { injected: fault, probe: { ok: true } });
  const failure = await probeUntilFailure(
    deps.backend.mcpUrl,
    deps.probe ?? { withinMs: 20_000, everyMs: 500, timeoutMs: 3_000 }
  );
  if (!failure || !isReportable(failure)) return json(res, 202, { injected: fault, probe: { ok: true } });
  const { namespace, service } = deps.demo;
  const intent = ErrorReported.intent({
    component: 'local-prober',
    category: failure.category,
    message: failure.message,
    occurredAt: new Date().toISOString(),
    target: { namespace, service, url: deps.backend.mcpUrl },
    ...(sessionId ? { sessionId } : {}),
    ...(failure.httpStatus ? { httpStatus: failure.httpStatus } : {}),
    ...(failure.errorCode ? { errorCode: failure.errorCode } : {})
  });
  await deps.publish(stamp('local-prober', intent, 0, { clock: systemClock, ids: systemIds }));
  return json(res, 202, { injected: fault, probe: { ok: false, category: failure.category } });
}

export function demoApiRoutes(deps: DemoApiDeps): Route[] {
  return [
    { match: (req, p) => p === '/local/info' && req.method === 'GET', handle: (_req, res) => json(res, 200, deps.info) },
    {
      match: (req, p) => p === '/local/faults' && req.method === 'POST',
      handle: (req, res) =>
        void faults(deps, req, res).catch((err: unknown) =>
          json(res, 500, { error: { code: 'internal', message: (err as Error).message } })
        )
    }
  ];
}
