import type { CheckFinding, CheckRequest } from '../../shared/diagnosis/check.js';
import { podState } from '../../shared/diagnosis/pods.js';
import { listNames, plural } from '../../shared/diagnosis/text.js';
import { settle } from '../../shared/diagnosis/wait.js';
import type { EndpointSlice, Endpoints, Pod, Service } from '../../shared/kube/port.js';
import { toSelector } from '../../shared/kube/workload.js';
import type { CheckCtx } from '../../shared/diagnosis/check.js';
import type { Evidence } from '../../shared/events/schemas.js';
import { countEndpoints, describeAddresses, type EndpointView } from './endpoints.js';

export interface EndpointInputs {
  service: Service | undefined;
  pods: Pod[];
  endpoints: Endpoints | undefined;
  slices: EndpointSlice[];
}

const portsOf = (svc: Service): string =>
  (svc.spec?.ports ?? []).map((p) => `${p.port}→${p.targetPort ?? p.port}/${p.protocol ?? 'TCP'}`).join(', ') || 'no ports';

const view = (v: EndpointView | undefined): string =>
  v ? `ready: ${describeAddresses(v.ready)}; not ready: ${describeAddresses(v.notReady)}` : 'none';

/**
 * Judges a Service's endpoints against the pods it selects: missing Service, selector matching nothing, ready
 * pods that are not endpoints (stale endpoints: rollout_restart when none is ready), endpoints of no selected pod.
 */
export function judgeEndpoints(where: string, input: EndpointInputs): CheckFinding {
  // The count verification compares with a remediation's record (DESIGN §12): ready endpoints.
  const observed = input.service
    ? { endpoints: countEndpoints(input.endpoints, input.slices).effective.ready.length }
    : undefined;
  const found = { ...judge(where, input), ...(observed ? { observed } : {}) };
  // A problem comes with the commands to look at it by hand.
  if (found.verdict !== 'problem') return found;
  const [ns, name] = where.split('/') as [string, string];
  const commands = input.service
    ? [`kubectl get endpoints -n ${ns} ${name} -o wide`, `kubectl describe service -n ${ns} ${name}`]
    : [`kubectl get services -n ${ns}`];
  return { ...found, commands };
}

/** The judgement itself; each problem carries a symptom: what is wrong with the endpoints, the same run to run. */
function judge(where: string, input: EndpointInputs): CheckFinding {
  const { service, pods, endpoints, slices } = input;
  if (!service)
    return {
      verdict: 'problem',
      summary: `Service ${where} does not exist`,
      evidence: [{ subject: `service/${where}`, detail: 'not found', reason: 'NotFound' }],
      symptom: 'no_service'
    };
  if (service.spec?.type === 'ExternalName') {
    const detail = `type ExternalName (points at ${service.spec.externalName ?? '?'}): no endpoints to check`;
    return {
      verdict: 'inconclusive',
      summary: `Service ${where} is ${detail}`,
      evidence: [{ subject: `service/${where}`, detail }]
    };
  }
  const selector = toSelector(service.spec?.selector);
  const counts = countEndpoints(endpoints, slices);
  const ready = counts.effective.ready;
  const evidence: Evidence[] = [
    {
      subject: `service/${where}`,
      detail: `selector ${selector ?? 'none (endpoints managed by hand)'}; ports ${portsOf(service)}`
    },
    { subject: `endpoints/${where}`, detail: view(counts.endpoints), count: counts.endpoints?.ready.length ?? 0 },
    { subject: `endpointslices of ${where}`, detail: view(counts.slices), count: counts.slices?.ready.length ?? 0 }
  ];
  const healthyNoSelector = `Service ${where} has ${plural(ready.length, 'ready endpoint')} (no selector: managed by hand)`;
  if (!selector)
    return ready.length > 0
      ? { verdict: 'healthy', summary: healthyNoSelector, evidence }
      : {
          verdict: 'problem',
          summary: `Service ${where} has no selector and no ready endpoints`,
          evidence,
          symptom: 'no_endpoints'
        };

  const states = pods.map(podState);
  const active = states.filter((p) => p.active);
  const readyPods = active.filter((p) => p.ready && p.podIP);
  evidence.push({
    subject: `pods selected by ${selector}`,
    detail: `${readyPods.length}/${active.length} Ready${
      readyPods.length
        ? `: ${listNames(
            readyPods.map((p) => p.name),
            5
          )}`
        : ''
    }`,
    count: active.length
  });
  const readyIps = new Set(ready.map((a) => a.ip));
  const podIps = new Set(states.map((p) => p.podIP).filter(Boolean));
  const missing = readyPods.filter((p) => !readyIps.has(p.podIP!));
  const stale = ready.filter((a) => !podIps.has(a.ip));

  if (ready.length === 0) {
    if (readyPods.length > 0) {
      const who = listNames(readyPods.map((p) => p.name));
      return {
        verdict: 'problem',
        summary: `Service ${where} has no ready endpoints although ${plural(readyPods.length, 'selected pod is', 'selected pods are')} Ready (${who})`,
        evidence,
        symptom: 'not_registered',
        recommendation: {
          action: 'rollout_restart',
          reason: `${plural(readyPods.length, 'Ready pod')} missing from the endpoints of ${where}: new pods get registered afresh`,
          params: {}
        }
      };
    }
    const summary =
      active.length === 0
        ? `Service ${where} selects no running pods (selector ${selector})`
        : `Service ${where} has no ready endpoints: 0/${active.length} selected pods are Ready`;
    return { verdict: 'problem', summary, evidence, symptom: 'no_ready_endpoints' };
  }
  if (stale.length > 0) {
    return {
      verdict: 'problem',
      summary: `Service ${where} routes to ${plural(stale.length, 'address', 'addresses')} of no selected pod (${describeAddresses(stale, 3)})`,
      evidence,
      symptom: 'stale_endpoints'
    };
  }
  if (missing.length > 0) {
    return {
      verdict: 'problem',
      summary: `Service ${where}: ${missing.length} of ${readyPods.length} Ready pods missing from its endpoints (${listNames(missing.map((p) => p.name))})`,
      evidence,
      symptom: 'missing_endpoints'
    };
  }
  return {
    verdict: 'healthy',
    summary: `Service ${where} has ${plural(ready.length, 'ready endpoint')} for ${plural(readyPods.length, 'Ready pod')}`,
    evidence
  };
}

async function read(ctx: CheckCtx, namespace: string, name: string): Promise<EndpointInputs> {
  const service = await ctx.kube.readService(namespace, name);
  if (!service) return { service, pods: [], endpoints: undefined, slices: [] };
  const selector = toSelector(service.spec?.selector);
  const [pods, endpoints, slices] = await Promise.all([
    selector ? ctx.kube.listPods(namespace, { labelSelector: selector }) : Promise.resolve([]),
    ctx.kube.readEndpoints(namespace, name),
    ctx.kube.listEndpointSlices(namespace, { labelSelector: `kubernetes.io/service-name=${name}` })
  ]);
  return { service, pods, endpoints, slices };
}

/** Looks once; in the verify phase, keeps looking (bounded) until the Service has ready endpoints for its pods. */
export async function inspectServiceEndpoints(req: CheckRequest, ctx: CheckCtx): Promise<CheckFinding> {
  const { namespace, service } = req.target;
  let exists = true;
  const look = async (): Promise<CheckFinding> => {
    const input = await read(ctx, namespace, service);
    exists = input.service !== undefined;
    return judgeEndpoints(`${namespace}/${service}`, input);
  };
  // Waiting does not make a missing Service appear: answer at once. Pods and slices changing wake the wait.
  return settle(look, req, ctx, () => !exists, [
    { kind: 'pods' },
    { kind: 'endpointslices', labelSelector: `kubernetes.io/service-name=${service}` }
  ]);
}
