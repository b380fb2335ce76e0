import fastJsonPatch from 'fast-json-patch';
import type { Action, ApprovalNeed, Change, DiffOp, GrantedApproval } from '../events/schemas.js';
import type { Policy } from '../policy/guardrails.js';
import type { OutcomeFields, RemediationRequest } from './outcome.js';
import type { Deployment } from '../kube/port.js';
import { digestOf } from '../approval/digest.js';
import type { Plan, Step, Subject } from './remediate.js';

/*
 * Approval of risky actions (DESIGN §12), on the remediation's side: when the policy asks for a human, the action runs
 * as a server-side dry run only and answers `approval_required` with the diff the API server's answers show, the
 * Deployment's generation and a digest of its spec. When it is asked again with an approval attached, it acts only if
 * the Deployment is still at that generation and spec: status (pods crash-looping, Ready counts) never counts as
 * moving, since it is no part of the spec.
 */

/** What an approval is pinned to: the Deployment's generation and the digest of its spec. */
export interface Pinned {
  generation: number;
  specDigest: string;
}

export const pinnedOf = (d: Deployment): Pinned => ({
  generation: d.metadata?.generation ?? 0,
  specDigest: digestOf(d.spec ?? {})
});

/**
 * The diff between what an object is and what the API server's dry run says it would be, as JSON Patch operations
 * with the value each replaces (`from`). Only `spec` and the metadata a write may change are compared: the dry run's
 * answer carries a new resourceVersion and managedFields that no one approves.
 *
 * @example
 * specDiff({ spec: { replicas: 0 } }, { spec: { replicas: 2 } }); // → [{ op: 'replace', path: '/spec/replicas', value: 2, from: 0 }]
 */
export function specDiff(before: unknown, after: unknown): DiffOp[] {
  const view = (o: unknown) => {
    const x = (o ?? {}) as { spec?: unknown; metadata?: { labels?: unknown; annotations?: unknown } };
    return {
      metadata: { labels: x.metadata?.labels ?? {}, annotations: x.metadata?.annotations ?? {} },
      spec: x.spec ?? {}
    };
  };
  const ops = fastJsonPatch.compare(view(before), view(after), true);
  const out: DiffOp[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.op === 'test') {
      const next = ops[i + 1];
      if (next && next.path === op.path && (next.op === 'replace' || next.op === 'remove')) {
        out.push({ ...next, from: op.value } as DiffOp);
        i++;
      }
      continue;
    }
    out.push(op as DiffOp);
  }
  return out;
}

/**
 * Runs a plan's steps as server-side dry runs and collects the diff: a step that can show the object it would write
 * (`preview`) gives a spec diff; any other (a pod deletion) one operation naming what it would remove or change.
 */
export async function dryRunDiff(steps: readonly Step[]): Promise<{ diff: DiffOp[]; changes: Change[] }> {
  const diff: DiffOp[] = [];
  const changes: Change[] = [];
  for (const step of steps) {
    if (step.preview) {
      const { before, after } = await step.preview();
      diff.push(...specDiff(before, after).map((d) => ({ ...d, path: `${step.change.object}:${d.path}` })));
    } else {
      await step.run({ dryRun: true });
      diff.push({
        op: step.change.verb === 'delete' ? 'remove' : 'replace',
        path: step.change.object,
        ...(step.change.detail ? { value: step.change.detail } : {})
      });
    }
    changes.push({ ...step.change, dryRun: true });
  }
  return { diff, changes };
}

/** What the remediation answers when approval is needed: the dry-run diff and what it was computed from. */
export function approvalNeed(subject: Subject, diff: DiffOp[], why: string): ApprovalNeed {
  return { object: `deployments/${subject.name}`, diff, ...pinnedOf(subject.deployment), why };
}

/** Why an approved action must not be applied as it stands: the Deployment moved since the approval (or undefined). */
export function moved(subject: Subject, approval: GrantedApproval): string | undefined {
  const now = pinnedOf(subject.deployment);
  if (now.generation !== approval.generation)
    return `deployment ${subject.namespace}/${subject.name} moved from generation ${approval.generation} to ${now.generation} since it was approved`;
  if (now.specDigest !== approval.specDigest)
    return `the spec of deployment ${subject.namespace}/${subject.name} changed since it was approved`;
  return undefined;
}

/**
 * Holds a write that needs a human's approval (the policy says so): without an approval, its dry-run diff
 * (`approval_required`); with one the Deployment moved away from, `approval_stale`. Undefined: go ahead.
 */
export async function approvalGate(
  subject: Subject,
  plan: Extract<Plan, { kind: 'act' }>,
  request: RemediationRequest,
  policy: Policy,
  action: Action
): Promise<Omit<OutcomeFields, 'mode'> | undefined> {
  const labels = subject.deployment.metadata?.labels ?? {};
  const why = policy.approvalNeeded({ action, target: request.target, labels });
  if (why && !request.approval) {
    const { diff, changes } = await dryRunDiff(plan.steps);
    return {
      outcome: 'approval_required',
      summary: `waiting for approval (${why}): ${plan.dryRunSummary.replace(/^dry run: /, '')}`,
      changes,
      manualSteps: plan.manualSteps,
      approval: approvalNeed(subject, diff, why)
    };
  }
  const stale = request.approval && moved(subject, request.approval);
  if (stale)
    return {
      outcome: 'approval_stale',
      summary: `not applied: ${stale}, so the approval no longer holds`,
      manualSteps: plan.manualSteps
    };
  return undefined;
}
