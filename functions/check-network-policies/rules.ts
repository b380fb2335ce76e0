import type { CheckFinding, CheckRequest } from '../../shared/diagnosis/check.js';
import { listNames, plural } from '../../shared/diagnosis/text.js';
import type { Evidence } from '../../shared/events/schemas.js';
import type { NetworkPolicy, Pod } from '../../shared/kube/port.js';
import { resolveWorkload, toSelector, type Workload } from '../../shared/kube/workload.js';
import type { CheckCtx } from '../../shared/diagnosis/check.js';
import { evaluateIngress, type TrafficDestination, type TrafficSource } from './evaluate.js';

type PodSpec = NonNullable<Pod['spec']>;

/** The chat's side of the flow, from configuration; Kubernetes labels every namespace with its own name. */
export function chatSource(cfg: CheckCtx['deps']['checks']['chatSource']): TrafficSource {
  return {
    namespace: cfg.namespace,
    podLabels: cfg.podLabels,
    namespaceLabels: { 'kubernetes.io/metadata.name': cfg.namespace, ...cfg.namespaceLabels }
  };
}

/** The flows to check: each Service port's target port on the workload's pods (named ports resolved on the pod spec). */
export function destinations(workload: Workload): { podLabels: Record<string, string>; flows: TrafficDestination[] } {
  const template = workload.deployment?.spec?.template;
  const podLabels =
    template?.metadata?.labels ?? workload.pods[0]?.metadata?.labels ?? workload.service?.spec?.selector ?? {};
  const spec: PodSpec | undefined = template?.spec ?? workload.pods[0]?.spec;
  const containerPorts = (spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  const base = { namespace: workload.namespace, podLabels };
  const svcPorts = workload.service?.spec?.ports ?? [];
  if (svcPorts.length === 0) {
    const flows = containerPorts.map((p) => ({
      ...base,
      port: p.containerPort,
      portName: p.name,
      protocol: p.protocol ?? 'TCP'
    }));
    return {
      podLabels,
      flows: flows.length > 0 ? flows : [{ ...base, port: undefined, portName: undefined, protocol: 'TCP' }]
    };
  }
  const flows = svcPorts.map((sp) => {
    const protocol = sp.protocol ?? 'TCP';
    const target = sp.targetPort ?? sp.port;
    const byName = typeof target === 'string' ? containerPorts.find((p) => p.name === target) : undefined;
    const port = typeof target === 'number' ? target : byName?.containerPort;
    const portName = typeof target === 'string' ? target : containerPorts.find((p) => p.containerPort === target)?.name;
    return { ...base, port, portName, protocol };
  });
  return { podLabels, flows };
}

const flowName = (f: TrafficDestination): string =>
  `${f.port ?? f.portName ?? 'any port'}${f.portName && f.port !== undefined ? ` (${f.portName})` : ''}/${f.protocol}`;

/** Judges the namespace's policies against the chat's traffic to each target port. No automatic action. */
export function judgePolicies(
  where: string,
  workload: Workload,
  policies: readonly NetworkPolicy[],
  src: TrafficSource
): CheckFinding {
  if (!workload.service && !workload.deployment && workload.pods.length === 0) {
    const detail = `neither Service ${where} nor a Deployment of that name exists: no pods to evaluate policies for`;
    return {
      verdict: 'inconclusive',
      summary: `No workload behind ${where}: ${detail}`,
      evidence: [{ subject: `service/${where}`, detail, reason: 'NotFound' }]
    };
  }
  const { podLabels, flows } = destinations(workload);
  const from = `namespace ${src.namespace}, pods ${toSelector(src.podLabels) ?? 'any'}`;
  const results = flows.map((f) => ({ flow: f, ...evaluateIngress(policies, src, f) }));
  const isolating = [...new Map(results.flatMap((r) => r.isolating).map((v) => [v.policy, v])).values()];
  const evidence: Evidence[] = [
    {
      subject: `traffic to ${where}`,
      detail: `from ${from} to pods ${toSelector(podLabels) ?? '(no labels)'} on ${flows.map(flowName).join(', ')}`,
      count: policies.length
    },
    ...results.flatMap((r) =>
      r.isolating.map((v) => ({
        subject: `networkpolicy/${v.policy}`,
        detail: `port ${flowName(r.flow)}: ${v.why}`,
        reason: v.admits === true ? 'Admits' : v.admits === false ? 'Blocks' : 'Unknown'
      }))
    )
  ];
  const blocked = results.filter((r) => r.admits === false);
  if (blocked.length > 0) {
    const names = [...new Set(blocked.flatMap((r) => r.blocking))];
    const kind = names.length === 1 ? 'NetworkPolicy' : 'NetworkPolicies';
    const why =
      names.length === 1 ? `: it ${isolating.find((v) => v.policy === names[0])?.why ?? 'admits nothing from it'}` : '';
    return {
      verdict: 'problem',
      summary: `${kind} ${listNames(names)} ${names.length === 1 ? 'blocks' : 'block'} the chat's traffic (${from}) to ${where} on port ${blocked.map((r) => flowName(r.flow)).join(', ')}${why}`,
      evidence,
      symptom: `blocked:${names.sort().join(',')}`,
      commands: [
        `kubectl describe networkpolicy -n ${workload.namespace} ${names.join(' ')}`,
        `kubectl get networkpolicy -n ${workload.namespace} -o wide`
      ]
    };
  }
  const unknown = results.filter((r) => r.admits === 'unknown');
  if (unknown.length > 0) {
    const maybe = isolating.filter((v) => v.admits === 'unknown').map((v) => v.policy);
    return {
      verdict: 'inconclusive',
      summary: `Only IP-block rules of ${maybe.length === 1 ? 'NetworkPolicy' : 'NetworkPolicies'} ${listNames(maybe)} could admit the chat's traffic to ${where}: whether its pod IP is in them cannot be told from the API`,
      evidence
    };
  }
  if (isolating.length === 0) {
    return {
      verdict: 'healthy',
      summary: `No NetworkPolicy isolates the pods of ${where} (${plural(policies.length, 'policy', 'policies')} in ${workload.namespace}): ingress is open`,
      evidence
    };
  }
  return {
    verdict: 'healthy',
    summary: `NetworkPolicies of ${where} admit the chat's traffic: ${listNames(isolating.map((v) => v.policy))} select its pods and allow it`,
    evidence
  };
}

/** Reads the workload and the namespace's NetworkPolicies. */
export async function inspectNetworkPolicies(req: CheckRequest, ctx: CheckCtx): Promise<CheckFinding> {
  const [workload, policies] = await Promise.all([
    resolveWorkload(ctx.kube, req.target),
    ctx.kube.listNetworkPolicies(req.target.namespace)
  ]);
  return judgePolicies(
    `${req.target.namespace}/${req.target.service}`,
    workload,
    policies,
    chatSource(ctx.deps.checks.chatSource)
  );
}
