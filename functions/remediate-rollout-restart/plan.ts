import { rolloutInProgress } from '../../shared/kube/workload.js';
import type { Plan, Subject } from '../../shared/remediation/remediate.js';
import type { Ctx } from '../../shared/runtime/define-function.js';

/** The pod-template annotation `kubectl rollout restart` sets; changing the template makes a new ReplicaSet. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/**
 * Restarts a Deployment's pods the way `kubectl rollout restart` does: a strategic-merge patch of the pod template's
 * restartedAt annotation, so the Deployment rolls out new pods under its own surge and availability rules.
 */
export async function planRolloutRestart(subject: Subject, _request: unknown, { kube, clock }: Ctx): Promise<Plan> {
  const { namespace, name, deployment } = subject;
  const where = `deployment ${namespace}/${name}`;
  const manual = [
    `kubectl rollout restart deployment/${name} -n ${namespace}`,
    `kubectl rollout status deployment/${name} -n ${namespace}`
  ];
  if ((deployment.spec?.replicas ?? 1) === 0)
    return { kind: 'noop', summary: `${where} is scaled to zero: there are no pods to restart` };
  const busy = rolloutInProgress(deployment);
  if (busy) return { kind: 'noop', summary: `${where} is already rolling out (${busy}): not restarting it on top` };
  if (deployment.spec?.paused) {
    return {
      kind: 'report',
      summary: `${where} is paused: a restart would not roll out until it is resumed, so Cortex leaves it to a human`,
      changes: [],
      manualSteps: [`kubectl rollout resume deployment/${name} -n ${namespace}`, ...manual]
    };
  }
  // kubectl writes time.RFC3339: seconds, no fraction.
  const at = clock
    .now()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z');
  const patch = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at } } } } };
  return {
    kind: 'act',
    summary: `restarted ${where}: its pods are replaced by a rolling update`,
    dryRunSummary: `dry run: would restart ${where} with a rolling update; nothing was changed`,
    steps: [
      {
        change: {
          verb: 'patch',
          object: `deployments/${name}`,
          detail: `spec.template.metadata.annotations["${RESTARTED_AT}"] = "${at}" (strategic merge)`
        },
        async run(opts) {
          await kube.patchDeployment(namespace, name, patch, { ...opts, strategy: 'strategic' });
        },
        async preview() {
          const after = await kube.patchDeployment(namespace, name, patch, { dryRun: true, strategy: 'strategic' });
          return { before: deployment, after };
        }
      }
    ],
    manualSteps: manual
  };
}
