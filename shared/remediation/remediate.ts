import { Events } from '../events/catalog.js';
import type { Intent } from '../events/define.js';
import { remediationFunction, type Action, type Change, type FailureCode } from '../events/schemas.js';
import type { Deployment, KubePort, Service, WriteOptions } from '../kube/port.js';
import { podSelector, readTarget } from '../kube/workload.js';
import { defineFunction, type Ctx, type FunctionDef, type KubeNeed, type SetupCtx } from '../runtime/define-function.js';
import { ForbiddenError, InvalidRequestError, NotFoundError } from '../runtime/errors.js';
import { DisruptionBudgetError } from './evict-pods.js';
import { completed, type Actor, type RemediationRequest } from './outcome.js';
import { approvalGate } from './approval.js';
import { remediationTrust } from './trust.js';
import { recordBefore } from './record.js';

/** The workload a remediation acts on, read just now: the Deployment behind the target Service. */
export interface Subject {
  namespace: string;
  service: Service | undefined;
  deployment: Deployment;
  /** The Deployment's name. */
  name: string;
  /** Label selector of the Deployment's pods (its matchLabels, else the Service's selector). */
  selector: string | undefined;
}

/** One write, described before it runs. `run` returns a note for the change detail (e.g. "already gone"). */
export interface Step {
  change: { verb: string; object: string; detail?: string };
  run(opts: WriteOptions): Promise<string | void>;
  /** The object as it is and as the API server's dry run of this write says it would be (for an approval's diff). */
  preview?(): Promise<{ before: unknown; after: unknown }>;
}

/** What a remediation decided to do after looking at the workload as it is now. */
export type Plan =
  /** Nothing to do: the state that justified the request is gone (or never was). */
  | { kind: 'noop'; summary: string }
  /** Writes: applied in enforce mode, server-side dry-run otherwise. `manualSteps` are the commands a human would run. */
  | { kind: 'act'; summary: string; dryRunSummary: string; steps: Step[]; manualSteps: string[] }
  /** No write at all: a plan for a human (outcome `manual`); `changes` are computed, never applied. */
  | { kind: 'report'; summary: string; changes: Change[]; manualSteps: string[] };

/** Resolving a remediation's subject reads its target as a check does (readTarget), with these reads. */
export { TARGET_READS } from '../kube/workload.js';

/**
 * What a remediation is configured with: the namespace Cortex runs in (its ServiceAccount's, for the audit trail), and
 * how long an eviction refused by a PodDisruptionBudget Cortex itself spent waits for a replacement to be Ready.
 */
export interface RemediationDeps {
  readonly namespace: string;
  readonly eviction: { readonly waitMs: number; readonly pollMs: number };
}

/** A remediation's handler context. */
export type RemediationCtx = Ctx<RemediationDeps>;

export interface RemediationSpec<A extends Action = Action> {
  action: A;
  /** Reads only: its writes are the `steps` it returns. A denial carries the plan's manual steps too. */
  plan(subject: Subject, request: RemediationRequest, ctx: RemediationCtx): Promise<Plan>;
}

/**
 * Reads the Service and the Deployment it selects (readTarget: the one of its name, else the namespace's are listed);
 * undefined when there is none. Pods are not read here: only the remediations that need them list them (and hold the verb).
 *
 * @example
 * const subject = await resolveSubject(ctx.kube, { namespace: 'demo', service: 'mcp-demo' });
 * subject?.deployment.metadata?.labels; // { app: 'mcp-demo', 'cortex.dev/self-heal': 'enabled' }
 */
export async function resolveSubject(kube: KubePort, target: RemediationRequest['target']): Promise<Subject | undefined> {
  const { namespace, service: name } = target;
  const { service, deployment } = await readTarget(kube, namespace, name);
  if (!deployment?.metadata?.name) return undefined;
  return { namespace, service, deployment, name: deployment.metadata.name, selector: podSelector(service, deployment) };
}

/**
 * Runs one remediation with its guardrails, and always answers with one `remediation.completed`:
 * namespace rules first (no read of a protected namespace), then the target's Deployment is read and the opt-in
 * checked, then the action plans from the state it sees now and its writes run (for real, or as server-side dry
 * runs). Forbidden, not-found and invalid writes become a `failed` outcome with manual steps; TransientError and
 * ConflictError propagate (503/409) so Knative redelivers and the next attempt re-reads the cluster.
 *
 * @example
 * async handle(event, ctx) { return remediate(spec, event.data, ctx); }
 */
export async function remediate(spec: RemediationSpec, request: RemediationRequest, ctx: RemediationCtx): Promise<Intent[]> {
  const { action } = spec;
  const { target } = request;
  const where = `${target.namespace}/${target.service}`;
  const actor: Actor = { name: remediationFunction(action), namespace: ctx.deps.namespace };
  const mode = ctx.policy.mode === 'dry-run' || request.dryRun ? 'dry-run' : 'enforce';
  const done: Change[] = [];
  let manualSteps: string[] = [];
  const answer = (f: Omit<Parameters<typeof completed>[3], 'mode'>): Intent[] => {
    ctx.log[f.outcome === 'failed' ? 'warn' : 'debug']({ action, target: where, outcome: f.outcome }, f.summary);
    return [completed(action, request, actor, { mode, ...f })];
  };

  const byNamespace = ctx.policy.decideNamespace({ action, target, dryRun: request.dryRun });
  if (!byNamespace.allowed)
    return answer({
      outcome: 'denied',
      summary: `denied: ${byNamespace.reason}`,
      manualSteps: byNamespace.manualSteps,
      policy: byNamespace.reason
    });
  try {
    const subject = await resolveSubject(ctx.kube, target);
    if (!subject) {
      return answer({
        outcome: 'failed',
        failure: 'not_found',
        summary: `no Deployment found behind ${where}: nothing to ${action.replaceAll('_', ' ')}`,
        manualSteps: [
          `Check what the Service selects: kubectl get service -n ${target.namespace} ${target.service} -o wide; kubectl get deployments -n ${target.namespace} --show-labels`
        ]
      });
    }
    const decision = ctx.policy.decide({
      action,
      target,
      labels: subject.deployment.metadata?.labels ?? {},
      dryRun: request.dryRun,
      workload: { deployment: subject.name, selector: subject.selector }
    });
    if (!decision.allowed) {
      // What a human would run instead: the plan only reads (writes are its steps, never run here).
      const extra = await spec.plan(subject, request, ctx).then(
        (p) => ('manualSteps' in p ? p.manualSteps : []),
        () => []
      );
      return answer({
        outcome: 'denied',
        summary: `denied: ${decision.reason}`,
        manualSteps: [...decision.manualSteps, ...extra],
        policy: decision.reason
      });
    }
    const plan = await spec.plan(subject, request, ctx);
    if (plan.kind === 'noop') return answer({ outcome: 'noop', summary: plan.summary, policy: decision.reason });
    if (plan.kind === 'report')
      return answer({
        outcome: 'manual',
        summary: plan.summary,
        changes: plan.changes,
        manualSteps: plan.manualSteps,
        policy: decision.reason
      });
    manualSteps = plan.manualSteps;
    const held = decision.dryRun ? undefined : await approvalGate(subject, plan, request, ctx.policy, action);
    if (held) return answer({ ...held, policy: decision.reason });
    // A rollback records nothing: it is never undone itself, and verification after it ends the healing. A dry run
    // records too: what it would change is reported the same way.
    const record = action === 'rollback' ? undefined : await recordBefore(ctx.kube, subject);
    for (const step of plan.steps) {
      const note = await step.run({ dryRun: decision.dryRun });
      const detail = [step.change.detail, note].filter(Boolean).join('; ');
      done.push({ ...step.change, ...(detail ? { detail } : {}), ...(decision.dryRun ? { dryRun: true } : {}) });
    }
    return decision.dryRun
      ? answer({
          outcome: 'manual',
          summary: plan.dryRunSummary,
          changes: done,
          manualSteps: plan.manualSteps,
          policy: decision.reason
        })
      : answer({
          outcome: 'applied',
          summary: plan.summary,
          changes: done,
          policy: decision.reason,
          ...(record ? { record } : {}),
          ...(request.approval ? { approvedBy: request.approval } : {})
        });
  } catch (err) {
    // A PodDisruptionBudget said no: a decision for a human, with what was done before it (never a retry).
    if (err instanceof DisruptionBudgetError)
      return answer({ outcome: 'manual', summary: err.summary, changes: done, manualSteps: err.manualSteps });
    const failure = asOutcome(err, spec, where, actor);
    if (!failure) throw err;
    return answer({
      outcome: 'failed',
      failure: failure.code,
      summary: failure.summary,
      changes: done,
      manualSteps: [...failure.manualSteps, ...manualSteps]
    });
  }
}

/** The Kubernetes errors that are a final answer for this request (retrying cannot help), as a `failed` outcome. */
function asOutcome(
  err: unknown,
  spec: RemediationSpec,
  where: string,
  actor: Actor
): { code: FailureCode; summary: string; manualSteps: string[] } | undefined {
  const namespace = where.split('/')[0];
  if (err instanceof ForbiddenError) {
    return {
      code: 'forbidden',
      summary: `forbidden: ${err.message}`,
      manualSteps: [
        `The ServiceAccount ${actor.namespace}/${actor.name} may not do this in namespace ${namespace}: check the RoleBinding cortex-${actor.name} there (kubectl apply -k knative/targets/${namespace}), or run the steps below by hand.`
      ]
    };
  }
  if (err instanceof NotFoundError) {
    return {
      code: 'not_found',
      summary: `not found: ${err.message} (it changed while ${spec.action} ran on ${where})`,
      manualSteps: [`Look at the workload as it is now: kubectl get deployments,pods -n ${namespace}`]
    };
  }
  if (err instanceof InvalidRequestError) {
    return {
      code: 'invalid_request',
      summary: `rejected by the API server: ${err.message}`,
      manualSteps: [
        `Cortex's ${spec.action} request on ${where} was invalid; report it with this event and fix the workload by hand.`
      ]
    };
  }
  return undefined;
}

/** The definition of one remediation function. */
export type RemediationDef<A extends Action> = FunctionDef<
  readonly [(typeof Events.RemediationRequested)[A]],
  readonly [],
  RemediationDeps
>;

/**
 * Declares a remediation: the function `remediate-<action>`, subscribed to `remediation.<action>.requested`,
 * answering one `remediation.completed` through `remediate` and its guardrails.
 *
 * @example
 * export default defineRemediation({ action: 'scale_up', description: '…', kube: [...], plan: planScaleUp });
 */
export function defineRemediation<A extends Action>(
  spec: RemediationSpec<A> & { description: string; kube: readonly KubeNeed[] }
): RemediationDef<A> {
  const { description, kube, ...rest } = spec;
  return defineFunction({
    name: remediationFunction(spec.action),
    description,
    on: [Events.RemediationRequested[spec.action]] as const,
    emits: [Events.RemediationCompleted],
    kube,
    trust: remediationTrust(spec.action),
    setup: ({ config }: Pick<SetupCtx, 'config'>): RemediationDeps => ({
      namespace: config.namespace,
      eviction: { waitMs: config.remediation.evictionWaitMs, pollMs: config.remediation.evictionPollMs }
    }),
    handle: (event, ctx) => remediate(rest, event.data, ctx)
  });
}
