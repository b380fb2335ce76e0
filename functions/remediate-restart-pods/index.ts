import { Events } from '../../shared/events/catalog.js';
import { remediate, type RemediationSpec } from '../../shared/remediation/remediate.js';
import { defineFunction, type FunctionDef } from '../../shared/runtime/define-function.js';
import { planRestartPods } from './plan.js';

const spec: RemediationSpec = { name: 'remediate-restart-pods', action: 'restart_pods', plan: planRestartPods };

/** Evicts the target's crashlooping pods (only those, as seen now), with the guardrails of shared/policy. */
export default defineFunction({
  name: spec.name,
  description:
    'Evicts the crashlooping pods of an opted-in workload, one at a time and within its PodDisruptionBudget, so its ReplicaSet replaces them.',
  on: [Events.RemediationRequested.restart_pods],
  emits: [Events.RemediationCompleted],
  kube: [
    // services get: the target is a Service; its selector leads to the Deployment (labels: the opt-in).
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    // Evictions, never deletes: the workload's PodDisruptionBudget decides each one.
    { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] }
  ],
  async handle(event, ctx) {
    return remediate(spec, event.data, ctx);
  }
}) satisfies FunctionDef;
