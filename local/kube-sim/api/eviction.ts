import { type IncomingMessage, type ServerResponse } from 'node:http';
import { ApiError, badRequest, forbiddenError, notFound, tooManyRequests } from '../api-errors.js';
import { type Budget, PDBS, budgetsFor, isPodReady, withAllowedCondition } from '../disruption.js';
import { deletePod } from '../pod-deletion.js';
import { resourceForKind } from '../resources.js';
import { type Pod, type PodCondition, isRecord, k8sTime } from '../types.js';
import { type ApiContext } from './context.js';
import { parseJson, readBody, requireMethod, sendJson, sendStatus } from './http-util.js';
import { writeOptions } from './query.js';

/*
 * POST pods/{name}/eviction (pkg/registry/core/pod/storage/eviction.go): deletes the pod unless that would break its
 * PodDisruptionBudget. Terminal, pending and terminating pods are deleted at once; an unready pod is deleted without
 * spending the budget under unhealthyPodEvictionPolicy AlwaysAllow, or under the default IfHealthyBudget while the
 * budget has its desired healthy pods; anything else spends one allowed disruption (recorded in disruptedPods) or is
 * refused with 429 and a DisruptionBudget cause. The evicted pod carries DisruptionTarget (EvictionByEvictionAPI).
 */

const PODS = resourceForKind('Pod');
const EVICTION_VERSIONS = ['policy/v1', 'policy/v1beta1'];
const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

/** checkAndDecrement: spends one disruption of the budget, or throws the API server's refusal. */
function spend(ctx: ApiContext, b: Budget, pod: Pod, dryRun: boolean): void {
  const status = b.status ?? { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0 };
  if ((status.observedGeneration ?? 0) < (b.metadata.generation ?? 1))
    throw tooManyRequests(VIOLATION, 10, [
      {
        reason: 'DisruptionBudget',
        message: `The disruption budget ${b.metadata.name} is still being processed by the server.`
      }
    ]);
  if (status.disruptionsAllowed < 0)
    throw forbiddenError(
      { group: 'policy', resource: 'poddisruptionbudget' },
      b.metadata.name,
      'pdb disruptions allowed is negative'
    );
  if (status.disruptionsAllowed === 0)
    throw tooManyRequests(VIOLATION, 0, [
      {
        reason: 'DisruptionBudget',
        message: `The disruption budget ${b.metadata.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`
      }
    ]);
  if (dryRun) return;
  const now = ctx.now();
  let next = { ...status, disruptionsAllowed: status.disruptionsAllowed - 1 };
  if (next.disruptionsAllowed === 0) next = withAllowedCondition(next, now);
  next.disruptedPods = { ...(status.disruptedPods ?? {}), [pod.metadata.name]: k8sTime(now) };
  ctx.store.update(PDBS, { ...b, status: next as Budget['status'] });
}

/** addConditionAndDeletePod: DisruptionTarget on the pod, then a normal (graceful) delete. */
function evict(ctx: ApiContext, pod: Pod, grace: number | undefined, dryRun: boolean): void {
  const now = ctx.now();
  if (!dryRun) {
    const condition: PodCondition = {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'EvictionByEvictionAPI',
      message: 'Eviction API: evicting',
      lastProbeTime: null,
      lastTransitionTime: k8sTime(now)
    };
    const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), condition];
    pod = ctx.store.update(PODS, { ...pod, status: { ...pod.status!, conditions } }) as Pod;
  }
  deletePod(ctx.store, pod, grace, now, { dryRun });
}

interface Eviction {
  name: string;
  grace: number | undefined;
  dryRun: boolean;
}

/** The Eviction body, with the dry run of the query and of its deleteOptions reconciled (propagateDryRun). */
function parseEviction(raw: Buffer, q: URLSearchParams): Eviction {
  const body = parseJson(raw);
  if (!isRecord(body)) throw badRequest('the body of the request must be an Eviction object');
  if (body['apiVersion'] !== undefined && !EVICTION_VERSIONS.includes(String(body['apiVersion'])))
    throw badRequest(
      `the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (policy/v1)`
    );
  const meta = isRecord(body['metadata']) ? body['metadata'] : {};
  const opts = isRecord(body['deleteOptions']) ? body['deleteOptions'] : {};
  const queryDryRun = q.getAll('dryRun');
  const bodyDryRun = Array.isArray(opts['dryRun']) ? opts['dryRun'].map(String) : [];
  if (queryDryRun.length && bodyDryRun.length && queryDryRun.join() !== bodyDryRun.join())
    throw new ApiError(
      500,
      'InternalError',
      `Internal error occurred: Non-matching dry-run options in request and content: [${queryDryRun.join(' ')}] and [${bodyDryRun.join(' ')}]`
    );
  const grace = opts['gracePeriodSeconds'];
  return {
    name: typeof meta['name'] === 'string' ? meta['name'] : '',
    grace: typeof grace === 'number' ? grace : undefined,
    dryRun: [...queryDryRun, ...bodyDryRun].includes('All')
  };
}

export async function serveEviction(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  namespace: string | undefined,
  name: string,
  q: URLSearchParams
): Promise<void> {
  requireMethod(req, 'POST');
  writeOptions(q, 'Create');
  const eviction = parseEviction(await readBody(req), q);
  if (eviction.dryRun) ctx.audit.markDryRun(req);
  if (eviction.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  const pod = ctx.store.get(PODS, namespace, name) as Pod | undefined;
  if (!pod) throw notFound(PODS, name);
  const phase = pod.status?.phase;
  const canIgnoreBudget =
    phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(pod.metadata.deletionTimestamp);
  if (!canIgnoreBudget) {
    const budgets = budgetsFor(ctx.store, pod);
    if (budgets.length > 1) {
      const message = 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';
      sendStatus(res, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code: 500 });
      return;
    }
    const budget = budgets[0];
    if (budget) {
      const status = budget.status;
      const unhealthyMayGo =
        !isPodReady(pod) &&
        (budget.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow' ||
          ((status?.currentHealthy ?? 0) >= (status?.desiredHealthy ?? 0) && (status?.desiredHealthy ?? 0) > 0));
      if (!unhealthyMayGo) spend(ctx, budget, pod, eviction.dryRun);
    }
  }
  evict(ctx, pod, eviction.grace, eviction.dryRun);
  sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
