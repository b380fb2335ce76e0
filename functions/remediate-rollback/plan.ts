import * as z from 'zod';
import type { Deployment, JsonPatchOp, ReplicaSet } from '../../shared/kube/port.js';
import type { Plan, Subject } from '../../shared/remediation/remediate.js';
import { plural, type RemediationRequest } from '../../shared/remediation/outcome.js';
import { REVISION_ANNOTATION } from '../../shared/remediation/record.js';
import type { Ctx } from '../../shared/runtime/define-function.js';

/*
 * Undoing a fix that made things worse (DESIGN §12). The request names what to undo and the state to go back to by
 * reference only: a revision (the ReplicaSet whose template the Deployment goes back to, read here from the cluster,
 * so a forged request cannot deploy a pod template of its own) or a replica count. Pod deletions cannot be undone.
 */

/** The label the Deployment controller adds to each ReplicaSet's template; the Deployment's own template lacks it. */
const HASH_LABEL = 'pod-template-hash';

/** Annotations `kubectl rollout undo` keeps from the Deployment rather than taking from the ReplicaSet. */
const KEEP_FROM_DEPLOYMENT = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to'
]);

export const RollbackParams = z.object({
  /** The action being undone. */
  undo: z.enum(['rollout_restart', 'scale_up', 'restart_pods', 'cleanup_failed_pods']),
  /** rollout_restart: the revision to go back to. */
  revision: z
    .string()
    .regex(/^\d{1,9}$/)
    .optional(),
  /** scale_up: the replica count to go back to. */
  replicas: z.number().int().nonnegative().max(1000).optional()
});
export type RollbackParams = z.infer<typeof RollbackParams>;

const ownedBy = (rs: ReplicaSet, d: Deployment): boolean =>
  (rs.metadata?.ownerReferences ?? []).some((o) => o.kind === 'Deployment' && o.uid === d.metadata?.uid);

/**
 * The JSON Patch `kubectl rollout undo` sends: the ReplicaSet's template (without its pod-template-hash label) as the
 * Deployment's, and the ReplicaSet's annotations as the Deployment's, save the ones the controller owns.
 */
export function undoPatch(d: Deployment, rs: ReplicaSet): JsonPatchOp[] {
  const template = structuredClone(rs.spec?.template ?? {});
  if (template.metadata?.labels) delete template.metadata.labels[HASH_LABEL];
  const mine = d.metadata?.annotations ?? {};
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(mine)) if (KEEP_FROM_DEPLOYMENT.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(rs.metadata?.annotations ?? {})) if (!KEEP_FROM_DEPLOYMENT.has(k)) annotations[k] = v;
  return [
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations }
  ];
}

function cannotUndo(subject: Subject, undo: string): Plan {
  const { namespace, name } = subject;
  return {
    kind: 'report',
    summary: `${undo} deleted pods, which cannot be undone: Cortex stops here and a human takes over`,
    changes: [],
    manualSteps: [
      `kubectl get pods -n ${namespace} -l <selector of deployment ${name}> -o wide`,
      `kubectl describe deployment/${name} -n ${namespace}`
    ]
  };
}

/** Goes back to a revision's template, as `kubectl rollout undo --to-revision` does. */
async function toRevision(subject: Subject, revision: string, { kube }: Ctx): Promise<Plan> {
  const { namespace, name, deployment, selector } = subject;
  const where = `deployment ${namespace}/${name}`;
  const current = deployment.metadata?.annotations?.[REVISION_ANNOTATION];
  const manual = [
    `kubectl rollout undo deployment/${name} -n ${namespace} --to-revision=${revision}`,
    `kubectl rollout status deployment/${name} -n ${namespace}`
  ];
  const sets = selector ? await kube.listReplicaSets(namespace, { labelSelector: selector }) : [];
  const rs = sets.find((r) => ownedBy(r, deployment) && r.metadata?.annotations?.[REVISION_ANNOTATION] === revision);
  if (!rs) {
    return {
      kind: 'report',
      summary: `${where} has no ReplicaSet of revision ${revision} any more: nothing to go back to`,
      changes: [],
      manualSteps: [`kubectl rollout history deployment/${name} -n ${namespace}`, ...manual]
    };
  }
  const patch = undoPatch(deployment, rs);
  const rsName = rs.metadata?.name ?? '?';
  return {
    kind: 'act',
    summary: `rolled back ${where} from revision ${current ?? '?'} to the template of revision ${revision} (replicaset ${rsName})`,
    dryRunSummary: `dry run: would roll back ${where} to revision ${revision}; nothing was changed`,
    steps: [
      {
        change: {
          verb: 'patch',
          object: `deployments/${name}`,
          detail: `spec.template ← replicaset ${rsName} (revision ${revision}), as kubectl rollout undo (json patch)`
        },
        async run(opts) {
          await kube.patchDeployment(namespace, name, patch, { ...opts, strategy: 'json' });
        }
      }
    ],
    manualSteps: manual
  };
}

/** Goes back to a replica count through the scale subresource. */
function toReplicas(subject: Subject, replicas: number, { kube }: Ctx): Plan {
  const { namespace, name, deployment } = subject;
  const current = deployment.spec?.replicas ?? 1;
  const where = `deployment ${namespace}/${name}`;
  if (current === replicas) return { kind: 'noop', summary: `${where} already wants ${plural(replicas, 'replica')}` };
  return {
    kind: 'act',
    summary: `scaled ${where} back from ${current} to ${plural(replicas, 'replica')}`,
    dryRunSummary: `dry run: would scale ${where} back to ${plural(replicas, 'replica')}; nothing was changed`,
    steps: [
      {
        change: { verb: 'patch', object: `deployments/${name}/scale`, detail: `spec.replicas ${current} → ${replicas}` },
        async run(opts) {
          await kube.scaleDeployment(namespace, name, replicas, opts);
        }
      }
    ],
    manualSteps: [`kubectl scale deployment/${name} -n ${namespace} --replicas=${replicas}`]
  };
}

/** Plans the undo of one action from the request's references, reading what it restores from the cluster. */
export async function planRollback(subject: Subject, request: RemediationRequest, ctx: Ctx): Promise<Plan> {
  const parsed = RollbackParams.safeParse(request.params);
  if (!parsed.success) {
    return {
      kind: 'report',
      summary: `the rollback request names nothing Cortex can undo (${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')})`,
      changes: [],
      manualSteps: [`kubectl rollout history deployment/${subject.name} -n ${subject.namespace}`]
    };
  }
  const p = parsed.data;
  if (p.undo === 'restart_pods' || p.undo === 'cleanup_failed_pods') return cannotUndo(subject, p.undo);
  if (p.undo === 'rollout_restart' && p.revision) return toRevision(subject, p.revision, ctx);
  if (p.undo === 'scale_up' && p.replicas !== undefined) return toReplicas(subject, p.replicas, ctx);
  return {
    kind: 'report',
    summary: `undoing ${p.undo} needs ${p.undo === 'scale_up' ? 'the replica count' : 'the revision'} to go back to, and the request has none`,
    changes: [],
    manualSteps: [`kubectl rollout history deployment/${subject.name} -n ${subject.namespace}`]
  };
}
