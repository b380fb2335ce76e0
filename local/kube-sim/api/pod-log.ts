import { type IncomingMessage, type ServerResponse } from 'node:http';
import { badRequest } from '../api-errors.js';
import { type LogRun, formatLine, renderLog } from '../kubelet/logs.js';
import { resourceForKind } from '../resources.js';
import { type Pod } from '../types.js';
import { type ApiContext } from './context.js';
import { boolParam, intParam } from './http-util.js';
import { getOrThrow } from './read.js';

/*
 * GET pods/{name}/log: text/plain, per container, with previous, tailLines, limitBytes, sinceSeconds, timestamps and
 * follow (chunked until the container stops or the client goes away). Error answers carry kubelet's wording.
 */

const PODS = resourceForKind('Pod');
const FOLLOW_POLL_MS = 200;

function waitingMessage(pod: Pod, container: string): string {
  const st = pod.status?.containerStatuses?.find((c) => c.name === container);
  const reason = st?.state?.waiting?.reason ?? 'ContainerCreating';
  const why = reason === 'ErrImagePull' || reason === 'ImagePullBackOff' ? 'trying and failing to pull image' : reason;
  return `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${why}`;
}

export function servePodLog(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  namespace: string | undefined,
  name: string,
  q: URLSearchParams
): void {
  const pod = getOrThrow(ctx, PODS, namespace, name) as Pod;
  const names = pod.spec.containers.map((c) => c.name);
  let container = q.get('container') ?? undefined;
  if (!container) {
    if (names.length !== 1)
      throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
    container = names[0]!;
  }
  if (!names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  const previous = boolParam(q, 'previous');
  const rt = ctx.kubelet.container(pod.metadata.uid, container);
  const run = rt?.logRun(previous);
  if (!run) {
    if (previous) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    throw badRequest(waitingMessage(pod, container));
  }
  const query = {
    tailLines: intParam(q, 'tailLines'),
    limitBytes: intParam(q, 'limitBytes'),
    sinceSeconds: intParam(q, 'sinceSeconds'),
    timestamps: boolParam(q, 'timestamps')
  };
  const now = ctx.now();
  run.materialize(now);
  const text = renderLog(run.lines, query, now);
  if (!boolParam(q, 'follow') || run.endedAt !== undefined) {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  follow(ctx, req, res, run, text, query.limitBytes, query.timestamps);
}

function follow(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  run: LogRun,
  first: string,
  limitBytes: number | undefined,
  timestamps: boolean
): void {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  let budget = limitBytes ?? Number.POSITIVE_INFINITY;
  const write = (text: string): void => {
    if (!text || budget <= 0) return;
    const chunk = Buffer.from(text).subarray(0, budget);
    budget -= chunk.length;
    res.write(chunk);
  };
  res.flushHeaders();
  write(first);
  let seen = run.total;
  const timer = setInterval(() => {
    run.materialize(ctx.now());
    const fresh = run.since(seen);
    seen = run.total;
    write(fresh.map((l) => formatLine(l, timestamps)).join(''));
    if (run.endedAt !== undefined || budget <= 0) stop();
  }, FOLLOW_POLL_MS);
  const stop = (): void => {
    clearInterval(timer);
    if (!res.writableEnded) res.end();
  };
  req.on('close', stop);
  res.on('close', stop);
}
