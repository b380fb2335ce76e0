import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFault, type Fault, type FaultQueue } from './faults.js';
import { readBody, sendJson } from './http-io.js';
import type { RequestLog } from './request-log.js';

/*
 * The control API under /_standin/, for tests and demos:
 *   POST   /_standin/faults    {"faults":[{kind,…}]}  queue faults (FIFO, one per /v1/messages request)
 *   DELETE /_standin/faults                            clear the queue
 *   GET    /_standin/requests                          {"requests":[…]} the recorded /v1/messages requests, oldest first
 *   DELETE /_standin/requests                          clear the record
 */

export const CONTROL_PREFIX = '/_standin/';
const CONTROL_BODY_LIMIT = 64 * 1024;

const reply = (res: ServerResponse, status: number, body: unknown): void => sendJson(res, status, JSON.stringify(body));

async function queueFaults(faults: FaultQueue, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req, CONTROL_BODY_LIMIT);
  let body: unknown;
  try {
    body = JSON.parse(raw ?? '');
  } catch {
    return reply(res, 400, { error: 'expected a JSON body {"faults":[{"kind":…}]}' });
  }
  const list = (body as { faults?: unknown } | null)?.faults;
  if (!Array.isArray(list)) return reply(res, 400, { error: 'expected {"faults":[…]}' });
  const parsed = list.map(parseFault);
  const problem = parsed.find((f): f is string => typeof f === 'string');
  if (problem) return reply(res, 400, { error: problem });
  faults.push(...(parsed as Fault[]));
  reply(res, 200, { queued: faults.size });
}

/** Answers a control request; false when the path is not part of the control API. */
export async function handleControl(
  deps: { faults: FaultQueue; requests: RequestLog },
  req: IncomingMessage,
  res: ServerResponse,
  path: string
): Promise<boolean> {
  const route = `${req.method} ${path}`;
  if (route === 'POST /_standin/faults') await queueFaults(deps.faults, req, res);
  else if (route === 'DELETE /_standin/faults') {
    const cleared = deps.faults.size;
    deps.faults.clear();
    reply(res, 200, { cleared });
  } else if (route === 'GET /_standin/requests') reply(res, 200, { requests: deps.requests.list() });
  else if (route === 'DELETE /_standin/requests') reply(res, 200, { cleared: deps.requests.clear() });
  else return false;
  return true;
}
