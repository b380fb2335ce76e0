import { Events } from '../../shared/events/catalog.js';
import { remediate, type RemediationSpec } from '../../shared/remediation/remediate.js';
import { defineFunction, type FunctionDef } from '../../shared/runtime/define-function.js';
import { planCleanupFailedPods } from './plan.js';

const spec: RemediationSpec = {
  name: 'remediate-cleanup-failed-pods',
  action: 'cleanup_failed_pods',
  plan: planCleanupFailedPods
};

/** Deletes the target's Failed (e.g. Evicted) pods, only those, with the guardrails of shared/policy. */
export default defineFunction({
  name: spec.name,
  description: 'Deletes the pods in phase Failed (Evicted included) of an opted-in workload.',
  on: [Events.RemediationRequested.cleanup_failed_pods],
  emits: [Events.RemediationCompleted],
  kube: [
    // services get: the target is a Service; its selector leads to the Deployment (labels: the opt-in).
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    // Failed pods are out of every PodDisruptionBudget's count already: deleting them disrupts nothing.
    { apiGroups: [''], resources: ['pods'], verbs: ['list', 'delete'] }
  ],
  async handle(event, ctx) {
    return remediate(spec, event.data, ctx);
  }
}) satisfies FunctionDef;
