import { type IncomingMessage, type ServerResponse } from 'node:http';
import { methodNotAllowed, notFound } from '../api-errors.js';
import { type ResourceDef, resourceForKind } from '../resources.js';
import { type Pod, k8sTime } from '../types.js';
import { type ApiContext } from './context.js';
import { sendJson } from './http-util.js';

/*
 * metrics.k8s.io, computed from the running pods: answers that are not stored objects (the reviews are in
 * access-review.ts).
 */

const memUsage = (pod: Pod, i: number): string =>
  `${24 + ((pod.metadata.name.charCodeAt(pod.metadata.name.length - 1) + i) % 40)}Mi`;

function podMetrics(pod: Pod, now: number): unknown {
  return {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      creationTimestamp: k8sTime(now),
      labels: pod.metadata.labels ?? {}
    },
    timestamp: k8sTime(now),
    window: '30s',
    containers: pod.spec.containers.map((c, i) => ({ name: c.name, usage: { cpu: `${3 + i}m`, memory: memUsage(pod, i) } }))
  };
}

export function serveVirtual(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  def: ResourceDef,
  namespace: string | undefined,
  name: string | undefined
): void {
  const now = ctx.now();
  if (req.method !== 'GET') {
    req.resume();
    throw methodNotAllowed();
  }
  if (def.kind === 'PodMetrics') {
    const pods = (ctx.store.list(resourceForKind('Pod'), namespace) as Pod[]).filter((p) => p.status?.phase === 'Running');
    if (name) {
      const pod = pods.find((p) => p.metadata.name === name);
      if (!pod) throw notFound(def, name);
      sendJson(res, 200, podMetrics(pod, now));
      return;
    }
    sendJson(res, 200, {
      kind: 'PodMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {},
      items: pods.map((p) => podMetrics(p, now))
    });
    return;
  }
  const nodes = ctx.store.list(resourceForKind('Node')).map((n) => ({
    kind: 'NodeMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: n.metadata.name, creationTimestamp: k8sTime(now), labels: n.metadata.labels ?? {} },
    timestamp: k8sTime(now),
    window: '30s',
    usage: { cpu: '180m', memory: '1536Mi' }
  }));
  if (name) {
    const node = nodes.find((n) => n.metadata.name === name);
    if (!node) throw notFound(def, name);
    sendJson(res, 200, node);
    return;
  }
  sendJson(res, 200, { kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: nodes });
}
