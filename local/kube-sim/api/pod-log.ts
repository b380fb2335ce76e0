import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type FieldCause, badRequest, invalid } from '../api-errors.js';
import { type LogRun, formatLine, renderLog } from '../kubelet/logs.js';
import { resourceForKind } from '../resources.js';
import { type Pod } from '../types.js';
import { type ApiContext } from './context.js';
import { boolParam, intParam, stringParam } from './query.js';
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

/** PodLogOptions from the query, validated like ValidatePodLogOptions (422 `PodLogOptions "<pod>" is invalid`). */
function logOptions(q: URLSearchParams, name: string, now: number) {
  const o = {
    tailLines: intParam(q, 'tailLines'),
    limitBytes: intParam(q, 'limitBytes'),
    sinceSeconds: intParam(q, 'sinceSeconds'),
    sinceTime: stringParam(q, 'sinceTime'),
    timestamps: boolParam(q, 'timestamps')
  };
  const since = o.sinceTime === undefined ? undefined : Date.parse(o.sinceTime);
  if (o.sinceTime !== undefined && (Number.isNaN(since) || !/^\d{4}-\d\d-\d\dT/.test(o.sinceTime)))
    throw badRequest(`parsing time ${JSON.stringify(o.sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
  const causes: FieldCause[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0)
    causes.push({ field: 'tailLines', value: o.tailLines, detail: 'must be greater than or equal to 0' });
  if (o.limitBytes !== undefined && o.limitBytes < 1)
    causes.push({ field: 'limitBytes', value: o.limitBytes, detail: 'must be greater than 0' });
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined)
    causes.push({
      field: '',
      detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified',
      reason: 'FieldValueForbidden'
    });
  if (o.sinceSeconds !== undefined && o.sinceSeconds < 1)
    causes.push({ field: 'sinceSeconds', value: o.sinceSeconds, detail: 'must be greater than 0' });
  if (causes.length) throw invalid('PodLogOptions', '', name, causes);
  const sinceSeconds = since === undefined ? o.sinceSeconds : Math.max(0, (now - since) / 1000);
  return { tailLines: o.tailLines, limitBytes: o.limitBytes, sinceSeconds, timestamps: o.timestamps };
}

export async function servePodLog(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  namespace: string | undefined,
  name: string,
  q: URLSearchParams
): Promise<void> {
  const query = logOptions(q, name, ctx.now());
  const pod = (await getOrThrow(ctx, PODS, namespace, name)) as Pod;
  const names = pod.spec.containers.map((c) => c.name);
  let container = stringParam(q, 'container');
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
