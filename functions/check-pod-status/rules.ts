import type { CheckFinding, CheckRequest } from '../../shared/diagnosis/check.js';
import { suggestLimit } from '../../shared/diagnosis/memory.js';
import {
  countByStatus,
  describePod,
  faultLabel,
  hasFault,
  IMAGE_PULL_REASONS,
  isCrashing,
  isCrashLooping,
  isOomKilled,
  podState,
  type PodState
} from '../../shared/diagnosis/pods.js';
import { listNames, plural } from '../../shared/diagnosis/text.js';
import { settle } from '../../shared/diagnosis/wait.js';
import { resolveWorkload, rolloutInProgress, type Workload } from '../../shared/kube/workload.js';
import type { CheckCtx } from '../../shared/diagnosis/check.js';

/** How many pods are described one by one in the evidence. */
const MAX_PODS = 20;

const names = (pods: readonly PodState[]): string[] => pods.map((p) => p.name);

/** The recommendation for the worst fault, by the plan's priority: image pull, then OOM, then crash loop. */
function recommend(workload: Workload, active: PodState[]): CheckFinding['recommendation'] {
  const pulling = active.filter((p) => p.containers.some((c) => c.waiting && IMAGE_PULL_REASONS.has(c.waiting.reason)));
  if (pulling.length > 0) {
    const c = pulling[0]!.containers.find((x) => x.waiting && IMAGE_PULL_REASONS.has(x.waiting.reason))!;
    const spec = workload.pods
      .find((p) => p.metadata?.name === pulling[0]!.name)
      ?.spec?.containers.find((x) => x.name === c.name);
    const image = spec?.image ?? c.image ?? 'unknown';
    return {
      action: 'report_image_pull',
      reason: `${c.waiting!.reason} for image ${image}${c.waiting!.message ? `: ${c.waiting!.message}` : ''}`,
      params: { image, container: c.name, pods: names(pulling) }
    };
  }
  const oom = active.filter((p) => p.containers.some(isOomKilled));
  if (oom.length > 0) {
    const c = oom[0]!.containers.find(isOomKilled)!;
    const spec = workload.pods
      .find((p) => p.metadata?.name === oom[0]!.name)
      ?.spec?.containers.find((x) => x.name === c.name);
    const s = suggestLimit({ limit: spec?.resources?.limits?.memory, request: spec?.resources?.requests?.memory });
    return {
      action: 'report_oom',
      reason: `container ${c.name} was OOMKilled in ${plural(oom.length, 'pod')}; suggested limit ${s.suggestedLimit} (${s.basis})`,
      params: {
        container: c.name,
        ...(s.currentLimit ? { currentLimit: s.currentLimit } : {}),
        suggestedLimit: s.suggestedLimit,
        pods: names(oom),
        ...(workload.deployment?.metadata?.name ? { deployment: workload.deployment.metadata.name } : {})
      }
    };
  }
  const crashing = active.filter(isCrashing);
  if (crashing.length > 0) {
    const looping = crashing.filter(isCrashLooping).length === crashing.length;
    return {
      action: 'restart_pods',
      reason: `${plural(crashing.length, 'pod')} ${looping ? 'crash-looping' : 'crashing'}: ${listNames(names(crashing))}`,
      params: { pods: names(crashing) }
    };
  }
  return undefined;
}

/**
 * The class of the worst fault among the active pods, in the plan's order: a code that stays the same through a
 * crash loop's cycle (a pod that just exited, one in back-off and one running again unready are all `crashing`).
 */
export function faultClass(active: readonly PodState[]): string {
  const has = (p: (s: PodState) => boolean): boolean => active.some(p);
  if (has((p) => p.containers.some((c) => c.waiting !== undefined && IMAGE_PULL_REASONS.has(c.waiting.reason))))
    return 'image_pull';
  if (has((p) => p.containers.some(isOomKilled))) return 'oom';
  if (has(isCrashing)) return 'crashing';
  if (has((p) => p.status === 'Unschedulable')) return 'unschedulable';
  if (has(hasFault)) return 'faulty';
  if (has((p) => p.phase === 'Running' && !p.ready)) return 'not_ready';
  return 'starting';
}

/** What a human runs to look at the pods: with the selector, and the first troubled pod by name. */
function podCommands(workload: Workload, troubled: readonly PodState[]): string[] {
  const ns = workload.namespace;
  const list = workload.selector
    ? `kubectl get pods -n ${ns} -l ${workload.selector} -o wide`
    : `kubectl get pods -n ${ns} -o wide`;
  const first = troubled[0];
  return first ? [list, `kubectl describe pod -n ${ns} ${first.name}`] : [list];
}

/**
 * Judges the pods behind a target: healthy when at least the desired number of pods is Ready and no active pod
 * shows a fault; a problem otherwise, with the worst fault's remediation recommended.
 */
export function judgePods(workload: Workload, where: string): CheckFinding {
  const active = workload.pods.map(podState).filter((p) => p.active);
  // The counts verification compares with a remediation's record (DESIGN §12): Ready pods, pods with a fault.
  const observed = { ready: active.filter((p) => p.ready).length, faulty: active.filter(hasFault).length };
  return { ...judge(workload, where), observed };
}

function judge(workload: Workload, where: string): CheckFinding {
  const all = workload.pods.map(podState).sort((a, b) => a.name.localeCompare(b.name));
  const active = all.filter((p) => p.active);
  const failed = all.filter((p) => p.failed);
  const d = workload.deployment;
  const desired = d ? (d.spec?.replicas ?? 1) : active.length;
  const ready = active.filter((p) => p.ready).length;
  const evidence = all
    .slice(0, MAX_PODS)
    .map((p) => ({ subject: `pod/${p.name}`, detail: describePod(p), reason: p.status, count: p.restarts }));
  const leftovers =
    failed.length > 0 ? `; ${plural(failed.length, 'Failed pod')} left over (${listNames(names(failed))})` : '';

  if (active.length === 0) {
    if (!d && !workload.selector && workload.service) {
      // A Service without a selector (default/kubernetes, an external database): its endpoints are kept by hand or by
      // another controller, and it has no pods of its own to judge.
      return {
        verdict: 'inconclusive',
        summary: `Service ${where} has no selector: it selects no pods (its endpoints are managed by hand), so there are none to judge`,
        evidence,
        commands: [`kubectl get endpoints -n ${workload.namespace} ${workload.service.metadata?.name ?? where}`]
      };
    }
    const why = !d
      ? workload.selector
        ? `no Deployment found and nothing matches ${workload.selector}`
        : `neither Service ${where} nor a Deployment of that name exists`
      : desired === 0
        ? `Deployment ${d.metadata?.name} is scaled to 0 replicas`
        : `Deployment ${d.metadata?.name} wants ${plural(desired, 'replica')}`;
    return {
      verdict: 'problem',
      summary: `No running pods for ${where}: ${why}${leftovers}`,
      evidence,
      symptom: d && desired === 0 ? 'scaled_to_zero' : 'no_pods',
      commands: podCommands(workload, [])
    };
  }
  const faulty = active.filter(hasFault);
  if (desired > 0 && ready >= desired && faulty.length === 0) {
    const restarts = active.reduce((n, p) => n + p.restarts, 0);
    const note = restarts > 0 ? `; ${plural(restarts, 'restart')} in total` : '';
    return { verdict: 'healthy', summary: `${ready}/${desired} pods of ${where} are Ready${note}${leftovers}`, evidence };
  }
  const detail =
    faulty.length > 0
      ? `: ${countByStatus(faulty, faultLabel)} (${listNames(names(faulty))})`
      : `: ${countByStatus(
          active.filter((p) => !p.ready),
          (p) => (p.status === 'Running' ? 'Running but not Ready' : p.status)
        )}`;
  const recommendation = recommend(workload, active);
  const troubled = faulty.length > 0 ? faulty : active.filter((p) => !p.ready);
  return {
    verdict: 'problem',
    summary: `${ready}/${desired} pods of ${where} are Ready${detail}${leftovers}`,
    evidence,
    symptom: faultClass(active),
    commands: podCommands(workload, troubled),
    ...(recommendation ? { recommendation } : {})
  };
}

/**
 * Looks at the target's pods once; in the verify phase, keeps looking (bounded by the deadline and the configured
 * wait) until they are healthy.
 */
export async function inspectPodStatus(req: CheckRequest, ctx: CheckCtx): Promise<CheckFinding> {
  const where = `${req.target.namespace}/${req.target.service}`;
  const look = async (): Promise<CheckFinding> => {
    const workload = await resolveWorkload(ctx.kube, req.target);
    const found = judgePods(workload, where);
    // Verification judges a settled rollout (DESIGN §12): pods that look fine while new ones are still being rolled
    // out are no verdict yet, so the check keeps waiting (bounded) for the rollout to complete or to fail. A
    // Deployment whose status no controller keeps (no observedGeneration) has no rollout to wait for.
    const d = workload.deployment;
    const busy = req.phase === 'verify' && d?.status?.observedGeneration !== undefined ? rolloutInProgress(d) : undefined;
    return busy && found.verdict === 'healthy'
      ? { ...found, verdict: 'inconclusive', summary: `${found.summary}, but the rollout is not done: ${busy}` }
      : found;
  };
  // The rollout's new pods wake the wait; the Deployment's status is looked at on each poll.
  return settle(look, req, ctx, undefined, [{ kind: 'pods' }]);
}
