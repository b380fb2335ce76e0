import type { CheckFinding, CheckRequest } from '../../shared/diagnosis/check.js';
import { cleanLine } from '../../shared/diagnosis/text.js';
import type { Evidence } from '../../shared/events/schemas.js';
import type { Deployment, HorizontalPodAutoscaler, KubeEvent, ReplicaSet, Service } from '../../shared/kube/port.js';
import { restoreReplicas, scaledDownFrom } from '../../shared/kube/restore.js';
import { readScalingEvents, readTarget, selects, toSelector } from '../../shared/kube/workload.js';
import type { Ctx } from '../../shared/runtime/define-function.js';

export interface DeploymentInputs {
  service: Service | undefined;
  deployment: Deployment | undefined;
  replicaSets: ReplicaSet[];
  /** The namespace's HorizontalPodAutoscalers and ScalingReplicaSet events: where a scale-up's count comes from. */
  hpas?: HorizontalPodAutoscaler[];
  events?: KubeEvent[];
}

const images = (d: Deployment): string =>
  (d.spec?.template?.spec?.containers ?? []).map((c) => `${c.name}=${c.image ?? '?'}`).join(', ') || 'no containers';

function replicaSetEvidence(d: Deployment, all: readonly ReplicaSet[]): Evidence[] {
  const uid = d.metadata?.uid;
  const owned = all.filter((rs) =>
    rs.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && (uid ? o.uid === uid : o.name === d.metadata?.name))
  );
  return owned
    .filter((rs) => (rs.spec?.replicas ?? 0) > 0 || (rs.status?.replicas ?? 0) > 0)
    .slice(0, 5)
    .map((rs) => ({
      subject: `replicaset/${rs.metadata?.name}`,
      detail: `${rs.spec?.replicas ?? 0} desired, ${rs.status?.readyReplicas ?? 0} ready, revision ${rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '?'}`,
      count: rs.status?.readyReplicas ?? 0
    }));
}

/** Judges the Deployment behind a target: existence, replicas, paused, conditions, selector match with the Service. */
export function judgeDeployment(where: string, input: DeploymentInputs): CheckFinding {
  const { service, deployment: d, replicaSets, hpas = [], events = [] } = input;
  if (!d) {
    const why = service
      ? `Service ${where} selects ${toSelector(service.spec?.selector) ?? 'nothing (no selector)'}, and no Deployment's pods carry those labels`
      : `neither Service ${where} nor a Deployment named ${where.split('/')[1]} exists`;
    return {
      verdict: 'problem',
      summary: `No Deployment behind ${where}: ${why}`,
      evidence: [{ subject: `deployment for ${where}`, detail: why, reason: 'NotFound' }]
    };
  }
  const name = `${d.metadata?.namespace}/${d.metadata?.name}`;
  const desired = d.spec?.replicas ?? 1;
  const st = d.status ?? {};
  const ready = st.readyReplicas ?? 0;
  const available = st.availableReplicas ?? 0;
  const evidence: Evidence[] = [
    {
      subject: `deployment/${d.metadata?.name}`,
      detail: `replicas: ${desired} desired, ${st.updatedReplicas ?? 0} updated, ${ready} ready, ${available} available; images ${images(d)}${d.spec?.paused ? '; paused' : ''}`,
      count: desired
    },
    ...(d.status?.conditions ?? []).map((c) => ({
      subject: `deployment/${d.metadata?.name} condition ${c.type}`,
      detail: `${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${cleanLine(c.message)}` : ''}`,
      ...(c.reason ? { reason: c.reason } : {})
    })),
    ...replicaSetEvidence(d, replicaSets)
  ];
  const scaledDown = scaledDownFrom(d, events);
  if (scaledDown)
    evidence.push({
      subject: `deployment/${d.metadata?.name} event ScalingReplicaSet`,
      detail: scaledDown.message,
      reason: 'ScalingReplicaSet',
      count: scaledDown.replicas
    });
  const problems: string[] = [];
  let recommendation: CheckFinding['recommendation'];
  if (desired === 0) {
    const restore = restoreReplicas({ deployment: d, hpas, events });
    problems.push(`Deployment ${name} is scaled to zero (0 replicas desired)`);
    recommendation = {
      action: 'scale_up',
      reason: `no replicas: restore ${restore.replicas} (${restore.detail})`,
      params: { replicas: restore.replicas, source: restore.source, sourceDetail: restore.detail }
    };
  }
  if (d.spec?.paused) problems.push(`Deployment ${name} is paused: rollouts do not progress`);
  const cond = (type: string) => d.status?.conditions?.find((c) => c.type === type);
  const progressing = cond('Progressing');
  if (progressing?.status === 'False') problems.push(`rollout stuck: ${progressing.reason ?? 'Progressing=False'}`);
  const failure = cond('ReplicaFailure');
  if (failure?.status === 'True')
    problems.push(
      `cannot create pods: ${failure.reason ?? 'ReplicaFailure'}${failure.message ? ` (${cleanLine(failure.message, 160)})` : ''}`
    );
  if (desired > 0 && cond('Available')?.status === 'False')
    problems.push(`not available (${cond('Available')?.reason ?? 'Available=False'})`);
  if (service?.spec?.selector && !selects(service.spec.selector, d.spec?.template?.metadata?.labels)) {
    const detail = `Service ${where} selects ${toSelector(service.spec.selector)}, but the pods of Deployment ${d.metadata?.name} are labelled ${toSelector(d.spec?.template?.metadata?.labels) ?? 'with nothing'}`;
    problems.push(`selector mismatch: ${detail}`);
    evidence.push({ subject: `service/${where}`, detail, reason: 'SelectorMismatch' });
  }
  if (desired > 0 && ready < desired) problems.push(`${ready}/${desired} replicas ready`);
  if (problems.length === 0) {
    return {
      verdict: 'healthy',
      summary: `Deployment ${name}: ${ready}/${desired} replicas ready, ${available} available; images ${images(d)}`,
      evidence
    };
  }
  const [first, ...rest] = problems;
  const summary = first!.startsWith('Deployment ')
    ? [first, ...rest].join('; ')
    : `Deployment ${name}: ${problems.join('; ')}`;
  return {
    verdict: 'problem',
    summary,
    evidence,
    symptom: desired === 0 ? 'scaled_to_zero' : 'unavailable',
    commands: [
      `kubectl describe deployment -n ${d.metadata?.namespace} ${d.metadata?.name}`,
      `kubectl rollout status deployment/${d.metadata?.name} -n ${d.metadata?.namespace} --timeout=60s`
    ],
    ...(recommendation ? { recommendation } : {})
  };
}

/**
 * Reads the Service, the Deployment it selects (readTarget) and that Deployment's ReplicaSets; for a Deployment at
 * zero also its HPAs and scaling events (where the count to restore comes from); judges the Deployment.
 */
export async function inspectDeploymentConfig(req: CheckRequest, ctx: Ctx): Promise<CheckFinding> {
  const { namespace, service: name } = req.target;
  const { service, deployment } = await readTarget(ctx.kube, namespace, name);
  const selector = toSelector(deployment?.spec?.selector?.matchLabels);
  const atZero = deployment !== undefined && deployment.spec?.replicas === 0;
  const [replicaSets, hpas, events] = await Promise.all([
    selector ? ctx.kube.listReplicaSets(namespace, { labelSelector: selector }) : Promise.resolve([]),
    atZero ? ctx.kube.listHorizontalPodAutoscalers(namespace) : Promise.resolve([]),
    atZero ? readScalingEvents(ctx.kube, namespace, deployment) : Promise.resolve([])
  ]);
  return judgeDeployment(`${namespace}/${name}`, { service, deployment, replicaSets, hpas, events });
}
